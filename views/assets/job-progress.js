// Keeps a job's progress current without reloading the page (a reload would move a screen
// reader's place and is an accessibility failure): fetch the page again, replace the status.
(function () {
  var status = document.getElementById('job-status');
  if (!status || status.dataset.running !== 'true') return;
  function poll() {
    fetch(location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (res) { return res.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('job-status');
        if (!fresh) return;
        status.innerHTML = fresh.innerHTML;
        status.dataset.running = fresh.dataset.running;
        if (fresh.dataset.running === 'true') setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
