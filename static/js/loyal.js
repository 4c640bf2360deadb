// Small behaviours that keep every script out of the page itself (CSP: no inline script).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.value || source.textContent);
    button.setAttribute("data-copied", "true");
  }
});
