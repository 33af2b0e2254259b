// LTI Platform Storage (lti.put_data / lti.get_data over postMessage), for iframes whose cookies
// the browser blocks. "put": store state and nonce, then go to the platform's authorization
// endpoint. "get": read them back and post the launch again with them.
(function () {
  var el = document.getElementById('platform-storage');
  var d = el.dataset;
  var target = d.target === '_parent' ? window.parent : (window.parent.frames[d.target] || window.parent);
  var pending = {};
  var counter = 0;

  window.addEventListener('message', function (event) {
    if (event.origin !== d.origin || !event.data || !pending[event.data.message_id]) return;
    var done = pending[event.data.message_id];
    delete pending[event.data.message_id];
    if (event.data.error) done.fail(event.data.error); else done.ok(event.data);
  });

  // Sent again until answered: the platform's storage frame may not be listening yet when this
  // page starts (a message posted before it is ready is lost, and the launch fails on its state).
  // Both messages are idempotent; a late second answer finds nothing pending and is ignored.
  function ask(subject, extra) {
    return new Promise(function (ok, fail) {
      var id = 'laurel-' + Date.now() + '-' + (counter++);
      var message = Object.assign({ subject: subject, message_id: id }, extra);
      var resend = setInterval(function () { target.postMessage(message, d.origin); }, 200);
      var settle = function (fn) { return function (v) { clearInterval(resend); fn(v); }; };
      pending[id] = { ok: settle(ok), fail: settle(fail) };
      target.postMessage(message, d.origin);
      setTimeout(function () { if (pending[id]) { var done = pending[id]; delete pending[id]; done.fail('timeout'); } }, 3000);
    });
  }

  function failed() { document.getElementById('storage-failed').hidden = false; }

  if (d.mode === 'put') {
    Promise.all([
      ask('lti.put_data', { key: 'laurel_state_' + d.state, value: d.state }),
      ask('lti.put_data', { key: 'laurel_nonce_' + d.state, value: d.nonce })
    ]).then(function () { window.location.href = d.next; }, function () {
      // Storage unavailable: the state cookie may still work.
      window.location.href = d.next;
    });
  } else {
    Promise.all([
      ask('lti.get_data', { key: 'laurel_state_' + d.state }),
      ask('lti.get_data', { key: 'laurel_nonce_' + d.state })
    ]).then(function (answers) {
      var form = document.getElementById('continue');
      form.elements.lti_storage_state.value = answers[0].value;
      form.elements.lti_storage_nonce.value = answers[1].value;
      form.submit();
    }, failed);
  }
})();
