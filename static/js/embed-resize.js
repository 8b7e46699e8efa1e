/* For a media outlet's page: fits each of our embed frames to its content.
 * The frame posts {type: "embed-height", height} (js/embed-frame.js); a message is believed only
 * when it comes from the origin this script was loaded from and from one of our frames. Without
 * this script, or without JavaScript, a frame keeps the height attribute of its snippet. */
(function () {
    "use strict";
    var script = document.currentScript;
    if (!script || !window.URL) {
        return;
    }
    var origin = new URL(script.src, document.baseURI).origin;
    var flag = "embedResize:" + origin;
    if (window[flag]) {
        return; // several embeds on one page include the script once each: listen once
    }
    window[flag] = true;
    var MIN_HEIGHT = 100;
    var MAX_HEIGHT = 20000;

    function isOurFrame(frame) {
        try {
            return new URL(frame.src, document.baseURI).origin === origin;
        } catch (error) {
            return false;
        }
    }

    window.addEventListener("message", function (event) {
        var data = event.data;
        if (event.origin !== origin || !data || data.type !== "embed-height") {
            return;
        }
        if (typeof data.height !== "number" || !isFinite(data.height)) {
            return;
        }
        var height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(data.height)));
        var frames = document.querySelectorAll("iframe[data-embed-frame]");
        for (var i = 0; i < frames.length; i += 1) {
            if (frames[i].contentWindow === event.source && isOurFrame(frames[i])) {
                frames[i].height = String(height);
                // A new page in the frame (a form sent, the next step of a contest) starts at
                // its top: bring that into view if the reader had scrolled past it.
                if (data.first && frames[i].hasAttribute("data-embed-shown")) {
                    if (frames[i].getBoundingClientRect().top < 0) {
                        frames[i].scrollIntoView({ block: "start" });
                    }
                }
                frames[i].setAttribute("data-embed-shown", "");
            }
        }
    });
})();
