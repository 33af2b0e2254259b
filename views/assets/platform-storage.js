// LTI Platform Storage (lti.put_data / lti.get_data over postMessage), for iframes whose cookies
// the browser blocks. "put": store state and nonce, then go to the platform's authorization
// endpoint. "get": read them back, clear them, and post the launch again with them.
//
// Canvas (ui/shared/lti/jquery/platform_storage.ts) counts every put against 500 keys and 4,096
// characters per tool and page, a repeated put of the same key included, and only an empty put
// (lti.put_data.ts: no value, clearData) gives them back. So: ask lti.capabilities first, again
// until the first answer (it stores nothing, and tells the frame is listening and whether it
// stores at all); then send each put or get once; clear both values once the launch has them.
// Target: a named frame (Canvas's post_message_forwarding) is on the OIDC auth origin; `_parent`
// is the course page, on the school's own host, which answers capabilities: its answer's origin
// is where the values go (Canvas's docs allow '*' there; Laurel sends no value to an unseen origin).
// Any site may frame the login page, so with `_parent` only an answer from a site this platform
// is known to show Laurel from counts (data-origins: the registration's addresses, the sites its
// validated launches named, those an administrator added; web/shared/frameAncestors.ts). Another site's
// answer is no platform's: the page goes on as without storage, and that site gets no value.
(function () {
  var el = document.getElementById('platform-storage');
  var d = el.dataset;
  var parentTarget = d.target === '_parent';
  var target = parentTarget ? window.parent : (window.parent.frames[d.target] || window.parent);
  var origin = parentTarget ? null : d.origin;
  var known = parentTarget ? (d.origins || '').split(' ').filter(Boolean) : [d.origin];
  var pending = {};
  var counter = 0;

  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!data || typeof data !== 'object' || !pending[data.message_id]) return;
    if (event.source !== target) return;
    var done = pending[data.message_id];
    if (origin ? event.origin !== origin : known.indexOf(event.origin) < 0) {
      // The first answer came from a site this platform does not show Laurel from: not believed.
      if (!origin) { delete pending[data.message_id]; done(event, 'unknown origin'); }
      return;
    }
    delete pending[data.message_id];
    done(event);
  });

  function send(subject, extra, o) {
    return new Promise(function (ok, fail) {
      var id = 'laurel-' + Date.now() + '-' + (counter++);
      var message = Object.assign({ subject: subject, message_id: id }, extra);
      var resend = o.resend ? setInterval(function () { target.postMessage(message, o.to); }, 200) : null;
      var timer = setTimeout(function () { if (pending[id]) { delete pending[id]; clearInterval(resend); fail('timeout'); } }, o.wait);
      pending[id] = function (event, refused) {
        clearInterval(resend); clearTimeout(timer);
        if (refused) fail(refused); else if (event.data.error) fail(event.data.error); else ok(event);
      };
      target.postMessage(message, o.to);
    });
  }

  // Which origin answers, and does it store? No answer, or no put/get: the cookie is all there is.
  function capabilities() {
    if (known.length === 0) return Promise.reject(new Error('no site known to answer'));
    return send('lti.capabilities', {}, { to: origin || '*', resend: true, wait: 3000 }).then(function (event) {
      var subjects = (event.data.supported_messages || []).map(function (m) { return m && m.subject; });
      if (subjects.indexOf('lti.put_data') < 0 || subjects.indexOf('lti.get_data') < 0) throw new Error('no platform storage');
      origin = event.origin;
    });
  }
  function ask(subject, extra) {
    return send(subject, extra, { to: origin, resend: false, wait: 3000 }).then(function (event) { return event.data; });
  }

  function failed() { document.getElementById('storage-failed').hidden = false; }
  var stateKey = 'laurel_state_' + d.state;
  var nonceKey = 'laurel_nonce_' + d.state;

  if (d.mode === 'put') {
    capabilities().then(function () {
      return Promise.all([ask('lti.put_data', { key: stateKey, value: d.state }), ask('lti.put_data', { key: nonceKey, value: d.nonce })]);
    }).then(function () { window.location.href = d.next; }, function () {
      // Storage unavailable: the state cookie may still work.
      window.location.href = d.next;
    });
  } else {
    capabilities().then(function () {
      return Promise.all([ask('lti.get_data', { key: stateKey }), ask('lti.get_data', { key: nonceKey })]);
    }).then(function (answers) {
      var form = document.getElementById('continue');
      form.elements.lti_storage_state.value = answers[0].value || '';
      form.elements.lti_storage_nonce.value = answers[1].value || '';
      // The launch has them now (the state is good once): give the platform its room back.
      var clear = function (key) { return ask('lti.put_data', { key: key }).catch(function () {}); };
      return Promise.all([clear(stateKey), clear(nonceKey)]).then(function () { form.submit(); });
    }, failed);
  }
})();
