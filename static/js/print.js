// The print view's 打印 button: it needs JavaScript, so it stays hidden until this runs.
document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
        window.print();
    });
});
