// LTI Dynamic Registration §3.6: tell the LMS the registration is done so it can close this window
// or frame. Only when the administrator says so (Done): the LMS closes at once, and the outcome
// (in approval mode, that a Laurel administrator must approve) must be read first.
document.getElementById('registration-done').addEventListener('click', function () {
  (window.opener || window.parent).postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
});
