// Enhances the answer sheet when JavaScript runs: a countdown from the server's remaining time,
// autosave of each answer (so the 保存答案 button is hidden until a save fails), a "确定交卷吗？"
// with the number of unanswered questions, and an automatic submit when time is up. Without it,
// the form's own 保存答案 and 交卷 buttons do the same work and the server asks before grading.
// Texts come translated from the form's data-text-*.
(function () {
  "use strict";
  var form = document.querySelector("form.answer-sheet");
  var timer = document.querySelector(".countdown");
  var status = document.querySelector(".autosave-status");
  if (!form || !timer) {
    return;
  }
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var confirmField = form.querySelector("input[name=confirm]");
  var saveButton = form.querySelector("button[value=save]");
  var deadline = Date.now() + Number(timer.dataset.remaining) * 1000;
  var submitted = false;
  var timeUp = false;

  // As the page writes times (2 分 30 秒), not as a clock.
  function format(left) {
    var minutes = Math.floor(left / 60);
    if (!minutes) {
      return form.dataset.textSeconds.replace("{s}", left);
    }
    return form.dataset.textMinutes.replace("{m}", minutes).replace("{s}", left % 60);
  }

  function submitNow() {
    if (submitted) {
      return;
    }
    timeUp = true;
    var button = form.querySelector("button[value=submit]");
    if (form.requestSubmit) {
      form.requestSubmit(button);
    } else {
      confirmField.value = "given";
      submitted = true;
      button.click();
    }
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    timer.textContent = form.dataset.textLeft + " " + format(left);
    if (left <= 60) {
      timer.classList.add("is-urgent");
    }
    if (left === 0) {
      submitNow();
      return;
    }
    window.setTimeout(tick, 1000);
  }

  function saveFailed(message) {
    status.textContent = message;
    saveButton.hidden = false;
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
            saveFailed(data.error || form.dataset.textFailed);
            if (response.status === 409) {
              window.location.reload();
            }
          }
        });
      })
      .catch(function () {
        saveFailed(form.dataset.textOffline);
      });
  }

  function unansweredCount() {
    return Array.prototype.filter.call(form.querySelectorAll("fieldset.question"), function (fieldset) {
      return !fieldset.querySelector("input:checked");
    }).length;
  }

  // Autosave does the saving; the button comes back only when a save fails.
  saveButton.hidden = true;

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (fieldset) {
      save(fieldset);
    }
  });
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    // A browser that does not say which button was pressed leaves the asking to the server.
    if (submitter && submitter.value === "submit") {
      if (!timeUp && confirmField.value === "ask") {
        var unanswered = unansweredCount();
        var detail = unanswered
          ? form.dataset.textUnanswered.replace("{n}", unanswered)
          : form.dataset.textAllAnswered;
        if (!window.confirm(detail + "\n" + form.dataset.textConfirm)) {
          event.preventDefault();
          return;
        }
      }
      confirmField.value = "given";
    }
    submitted = true;
  });
  tick();
})();
