// LTI Dynamic Registration §3.6: tell the LMS the registration is done so it can close this window or frame.
(window.opener || window.parent).postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
