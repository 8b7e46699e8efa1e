/* Inside an embed page: tells the page framing us how tall the content is, whenever it changes,
 * so js/embed-resize.js there can fit the frame. The height is no secret, so any parent may
 * read it ("*"); the outlet's script checks that the message comes from us. */
(function () {
    "use strict";
    if (window.parent === window) {
        return;
    }
    var last = 0;

    function post() {
        var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
        if (height !== last) {
            last = height;
            window.parent.postMessage({ type: "embed-height", height: height }, "*");
        }
    }

    post();
    window.addEventListener("load", post);
    if (window.ResizeObserver) {
        new ResizeObserver(post).observe(document.documentElement);
    } else {
        window.addEventListener("resize", post);
    }
})();
