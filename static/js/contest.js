// Enhances the answer sheet when JavaScript runs: a countdown from the server's remaining time,
// autosave of each answer, and an automatic submit when time is up. Without it, the form's own
// 保存答案 and 交卷 buttons do the same work. Texts come translated from the form's data-text-*.
(function () {
  "use strict";
  var form = document.querySelector("form.answer-sheet");
  var timer = document.querySelector(".countdown");
  var status = document.querySelector(".autosave-status");
  if (!form || !timer) {
    return;
  }
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var deadline = Date.now() + Number(timer.dataset.remaining) * 1000;
  var submitted = false;

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function submitNow() {
    if (submitted) {
      return;
    }
    submitted = true;
    var button = form.querySelector("button[value=submit]");
    if (form.requestSubmit) {
      form.requestSubmit(button);
    } else {
      button.click();
    }
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    timer.textContent = form.dataset.textLeft + " " + pad(Math.floor(left / 60)) + ":" + pad(left % 60);
    if (left <= 60) {
      timer.classList.add("is-urgent");
    }
    if (left === 0) {
      submitNow();
      return;
    }
    window.setTimeout(tick, 1000);
  }

  function save(fieldset) {
    var position = Number(fieldset.dataset.position);
    var choices = Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (input) {
      return Number(input.value);
    });
    fetch(form.dataset.answerUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ position: position, choices: choices }),
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (response.ok) {
            deadline = Date.now() + data.remaining_seconds * 1000;
            status.textContent = form.dataset.textSaved.replace("{n}", position);
          } else {
            status.textContent = data.error || form.dataset.textFailed;
            if (response.status === 409) {
              window.location.reload();
            }
          }
        });
      })
      .catch(function () {
        status.textContent = form.dataset.textOffline;
      });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (fieldset) {
      save(fieldset);
    }
  });
  form.addEventListener("submit", function () {
    submitted = true;
  });
  tick();
})();
