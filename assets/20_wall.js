/* The wall's stale badge, decided in the browser: when refreshes stop succeeding (the server answers
   500, the network is down), no server callback can say so. Ages are measured on the browser's own
   clock from the moment it received each good refresh, so a wall PC whose clock is off is not fooled.
   Served as a file, not inline, so the Content-Security-Policy needs no 'unsafe-inline'. */
(function () {
    let lastSeen = null;  // the server's stamp of the latest good refresh
    let receivedAt = 0;   // when this browser received it
    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        wall: {
            stale: function (_tick, lastOk, config) {
                if (!lastOk || !config) {
                    return ["", "wj-stale wj-hidden"];
                }
                if (lastOk.ms !== lastSeen) {
                    lastSeen = lastOk.ms;
                    receivedAt = Date.now();
                }
                if (Date.now() - receivedAt <= config.interval_ms * 1.5 + 2000) {
                    return ["", "wj-stale wj-hidden"];
                }
                return [config.label.replace("{}", lastOk.hhmm), "wj-stale"];
            }
        }
    });
})();
