// "Copy link" buttons on the learner page: copy the share link and say so (in the page's language,
// from the button's data-copied). Without script the
// link stays in its read-only field, ready to select and copy by hand.
document.querySelectorAll('button.copy-link').forEach(function (button) {
  button.addEventListener('click', function () {
    var field = document.getElementById(button.dataset.target);
    var status = button.parentElement.querySelector('.copied');
    field.select();
    var done = function () { status.textContent = button.dataset.copied || 'Link copied.'; };
    if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand('copy'); done(); });
    else { document.execCommand('copy'); done(); }
  });
});
