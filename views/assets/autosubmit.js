// Submits the form at once (Deep Linking response); the button stays for browsers without script.
document.getElementById('autosubmit').submit();
