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
            // "first": this document's first report, so the outlet's script knows a new page
            // was loaded in the frame.
            window.parent.postMessage({ type: "embed-height", height: height, first: last === 0 }, "*");
            last = height;
        }
    }

    // A contest's or event's flow stays in the frame; a link leaving it (a related article, the
    // site's home) opens in a new tab, since the site's own pages refuse to be framed.
    var prefix = document.body.getAttribute("data-embed-prefix");
    if (prefix) {
        document.addEventListener("click", function (event) {
            var link = event.target.closest && event.target.closest("a[href]");
            if (link && !link.target && link.pathname.indexOf(prefix) !== 0) {
                link.target = "_blank";
                link.rel = "noopener";
            }
        });
    }

    // A notice marked data-needs-cookie="<name>" is shown when the browser kept no such cookie
    // in this frame (it blocks the third-party cookies): what it says is refused would be.
    var notices = document.querySelectorAll("[data-needs-cookie]");
    for (var i = 0; i < notices.length; i += 1) {
        var wanted = notices[i].getAttribute("data-needs-cookie") + "=";
        var kept = document.cookie.split(/;\s*/).some(function (cookie) {
            return cookie.indexOf(wanted) === 0;
        });
        if (!kept) {
            notices[i].hidden = false;
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
