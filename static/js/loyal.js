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

// The pipeline board: a card dropped on a column submits its own move form with that stage;
// a won stage then asks for what was sold (the server's page). The form works without this.
var draggedCard = null;
document.addEventListener("dragstart", function (event) {
  var card = event.target.closest ? event.target.closest(".board-card[draggable]") : null;
  draggedCard = card;
  if (card && event.dataTransfer) event.dataTransfer.setData("text/plain", card.getAttribute("data-prospect"));
});
document.addEventListener("dragover", function (event) {
  var column = event.target.closest ? event.target.closest(".board-column[data-stage]") : null;
  if (column && draggedCard) event.preventDefault();
});
document.addEventListener("drop", function (event) {
  var column = event.target.closest ? event.target.closest(".board-column[data-stage]") : null;
  if (!column || !draggedCard) return;
  event.preventDefault();
  var form = draggedCard.querySelector("form.board-move");
  draggedCard = null;
  if (!form) return;
  form.querySelector("select[name=stage]").value = column.getAttribute("data-stage");
  form.submit();
});
