// Inside WeChat's browser: sign the JS-SDK config for this page (home/wechat.py) and give WeChat
// the page's share card, so a shared link shows title, summary and image. Elsewhere: nothing.
(function () {
    "use strict";
    var script = document.currentScript;
    if (!/MicroMessenger/i.test(navigator.userAgent) || !script || !window.fetch) {
        return;
    }
    var configUrl = script.getAttribute("data-config-url");
    var pageUrl = location.href.split("#")[0];

    function share(config) {
        var wx = window.wx;
        if (!wx || !config || !config.share) {
            return;
        }
        wx.config({
            debug: false,
            appId: config.appId,
            timestamp: config.timestamp,
            nonceStr: config.nonceStr,
            signature: config.signature,
            jsApiList: config.jsApiList
        });
        wx.ready(function () {
            var card = config.share;
            wx.updateAppMessageShareData({ title: card.title, desc: card.desc, link: card.link, imgUrl: card.imgUrl });
            wx.updateTimelineShareData({ title: card.title, link: card.link, imgUrl: card.imgUrl });
        });
    }

    function start() {
        fetch(configUrl + "?url=" + encodeURIComponent(pageUrl), { credentials: "omit", headers: { Accept: "application/json" } })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(share)
            .catch(function () { /* No share card: WeChat falls back to its plain link card. */ });
    }

    // Both scripts are deferred, the JS-SDK first, so wx exists by DOMContentLoaded if it loaded.
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
