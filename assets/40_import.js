/* The import page (dashboard/pages/import_page.py): a file over the upload limit is refused by the browser
   before it is read (dcc.Upload's max_size), and dcc.Upload then says nothing. This tells the page why: the
   file's name and size go to the import-too-large store, whose callback shows the message in the page's
   language. The server checks the size again (callbacks/imports.py); this only spares a useless upload.
   Served as a file, not inline, so the Content-Security-Policy needs no 'unsafe-inline'. */
(function () {
    function check(files, target) {
        const holder = target && target.closest ? target.closest("[data-max-bytes]") : null;
        if (!holder || !files || !window.dash_clientside || !window.dash_clientside.set_props) {
            return;
        }
        const limit = Number(holder.getAttribute("data-max-bytes"));
        for (const file of files) {
            if (file.size > limit) {
                window.dash_clientside.set_props("import-too-large", {data: {name: file.name, size: file.size, at: Date.now()}});
                return;
            }
        }
    }
    document.addEventListener("change", function (event) {
        if (event.target && event.target.type === "file") {
            check(event.target.files, event.target);
        }
    }, true);
    document.addEventListener("drop", function (event) {
        check(event.dataTransfer && event.dataTransfer.files, event.target);
    }, true);
})();
