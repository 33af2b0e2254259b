// The badge editor's preview, live: while the instructor changes the conditions, the form is
// evaluated again (nothing is saved) and the preview below it replaced. Without script the
// "Preview who qualifies" button does the same with a page load.
(function () {
  var form = document.querySelector('form.badge-form');
  var button = form && form.querySelector('button[formaction$="/preview"]');
  var status = document.getElementById('live-preview-status');
  if (!form || !button || !status || !window.fetch) return;
  var timer, asked = 0;
  function refresh() {
    var ask = ++asked;
    var body = new URLSearchParams(new FormData(form));
    fetch(button.getAttribute('formaction') + location.search, { method: 'POST', body: body, headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (res) { return res.text(); })
      .then(function (html) {
        if (ask !== asked) return; // a later change is on its way
        var page = new DOMParser().parseFromString(html, 'text/html');
        var fresh = page.querySelector('.preview-result');
        var old = document.querySelector('.preview-result');
        if (fresh) {
          if (old) old.replaceWith(fresh); else form.insertAdjacentElement('afterend', fresh);
          status.textContent = (fresh.querySelector('h2') || {}).textContent || '';
        } else {
          var problems = page.querySelector('.problem ul');
          status.textContent = problems ? problems.textContent.trim().replace(/\s+/g, ' ') : '';
        }
      })
      .catch(function () { status.textContent = ''; });
  }
  form.addEventListener('change', function (e) {
    if (!e.target.closest('fieldset')) return; // the conditions and alignments, not every field
    clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  });
})();
