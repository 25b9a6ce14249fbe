/* The kiosk's rotation (dashboard/pages/kiosk.py): two same-origin iframes take turns; the hidden one loads
   the next view ahead of its turn and is faded in once the view is drawn, so the screen never shows a
   half-built page. The shell reloads itself every `reload_ms` (at a view boundary: TV browsers left
   running for days leak memory), and after a back-off when a view fails to load (an error status, a page
   that is not this app's, e.g. the login page once the session ended, nothing drawn in time) or a script
   fails, in the shell or in a view. The back-off doubles with each failure in a row (kept in
   sessionStorage across the reloads) and is forgotten after a whole round of views went well.
   Served as a file, not inline, so a Content-Security-Policy needs no 'unsafe-inline'. */
(function () {
    const FIRST_BACKOFF_MS = 5000;
    const MAX_BACKOFF_MS = 300000;
    const READY_TIMEOUT_MS = 30000;  // a view not drawn by then has failed
    const PRELOAD_MS = 8000;         // how long before its turn the next view starts loading (at most)
    const FADE_MS = 1000;            // assets/30_kiosk.css fades in 0.8 s; the old view is unloaded after
    const FAILURES = "wj-kiosk-failures";
    let started = false;

    function backoffMs(failures) {
        return Math.min(FIRST_BACKOFF_MS * Math.pow(2, failures), MAX_BACKOFF_MS);
    }

    // Why a loaded frame is not a view of this app, or null.
    function problem(frame) {
        let doc;
        try {
            doc = frame.contentDocument;
        } catch (error) {
            return "not readable: " + error.message;
        }
        if (!doc) {
            return "no document";
        }
        const navigation = frame.contentWindow.performance.getEntriesByType("navigation")[0];
        if (navigation && navigation.responseStatus >= 400) {
            return "HTTP " + navigation.responseStatus;
        }
        return doc.getElementById("react-entry-point") ? null : "not a page of this app";
    }

    // Whether the frame's page is drawn: its content is there and no callback is pending.
    function drawn(frame) {
        const doc = frame.contentDocument;
        const content = doc && doc.getElementById("_pages_content");
        return Boolean(content && content.firstElementChild) && !doc.querySelector("._dash-loading, ._dash-loading-callback");
    }

    function run(config) {
        const frames = config.frames.map(function (id) { return document.getElementById(id); });
        const notice = document.getElementById(config.failed);
        const startedAt = Date.now();
        const preloadMs = Math.min(PRELOAD_MS, config.interval_ms / 2);
        let shown = -1;  // which of the two frames is visible
        let failing = false;

        function fail(reason) {
            if (failing) {
                return;
            }
            failing = true;
            const failures = Number(window.sessionStorage.getItem(FAILURES) || 0);
            const delay = backoffMs(failures);
            window.sessionStorage.setItem(FAILURES, String(failures + 1));
            console.warn("kiosk: " + reason + "; reloading in " + delay + " ms");
            notice.textContent = config.failed_label.replace("{}", String(Math.round(delay / 1000)));
            window.setTimeout(function () { window.location.reload(); }, delay);
        }

        // Load view `index` into `frame`; `done` once it is drawn, fail() if it cannot be.
        function load(frame, index, done) {
            const url = config.views[index];
            const watchdog = window.setTimeout(function () { fail(url + ": not drawn in time"); }, READY_TIMEOUT_MS);
            frame.onload = function () {
                const wrong = problem(frame);
                if (wrong) {
                    window.clearTimeout(watchdog);
                    fail(url + ": " + wrong);
                    return;
                }
                frame.contentWindow.addEventListener("error", function (event) { fail(url + ": " + event.message); });
                (function poll() {
                    if (failing) {
                        window.clearTimeout(watchdog);
                    } else if (drawn(frame)) {
                        window.clearTimeout(watchdog);
                        done();
                    } else {
                        window.setTimeout(poll, 200);
                    }
                })();
            };
            frame.src = url;
        }

        // Unload a view that faded out, so only the visible one runs (its refreshes, its memory).
        function unload(frame) {
            frame.onload = null;
            frame.src = "about:blank";
        }

        // Load view `index` into the hidden frame, show it at `dueAt` (or once drawn, if later), plan the next.
        function cycle(index, dueAt) {
            const target = shown === 0 ? 1 : 0;
            load(frames[target], index, function () {
                window.setTimeout(function () {
                    if (failing) {
                        return;
                    }
                    if (Date.now() - startedAt >= config.reload_ms) {
                        window.location.reload();
                        return;
                    }
                    const previous = shown;
                    frames[target].classList.add("wj-kiosk-active");
                    if (previous >= 0 && previous !== target) {
                        frames[previous].classList.remove("wj-kiosk-active");
                        window.setTimeout(function () { unload(frames[previous]); }, FADE_MS);
                    }
                    shown = target;
                    document.body.dataset.kioskView = String(index);
                    if (index === config.views.length - 1) {
                        window.sessionStorage.removeItem(FAILURES);
                    }
                    const nextDue = Date.now() + config.interval_ms;
                    window.setTimeout(function () { cycle((index + 1) % config.views.length, nextDue); },
                                      config.interval_ms - preloadMs);
                }, Math.max(0, dueAt - Date.now()));
            });
        }

        window.addEventListener("error", function (event) { fail("kiosk: " + event.message); });
        cycle(0, Date.now());
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        kiosk: {
            backoffMs: backoffMs,
            start: function (config) {
                if (!started && config && config.views.length) {
                    started = true;
                    run(config);
                }
                return true;
            }
        }
    });
})();
