package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
)

// maxCatalogueForm bounds the upload form: the catalogue and the little
// the form adds around it.
const maxCatalogueForm = dossier.MaxCatalogueBytes + maxFormBytes

type adminProceduresData struct {
	*page
	Count    int
	Problems dossier.CatalogueErrors
	DryRun   bool
}

// adminProcedures shows the catalogue's size, the export, and the import
// form, to administrators of the whole tree.
func (h *handler) adminProcedures(w http.ResponseWriter, r *http.Request) {
	if err := h.app.Identity.Can(r.Context(), state(r).actor, identity.PermProceduresManage, 0); err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderProceduresAdmin(w, r, http.StatusOK, &adminProceduresData{page: h.newPage(r, "admin.procedures.title", "admin")})
}

func (h *handler) renderProceduresAdmin(w http.ResponseWriter, r *http.Request, status int, d *adminProceduresData) {
	ps, err := h.app.Procedures.List(r.Context(), dossier.ProcedureQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Count = len(ps)
	h.render(w, r, status, "admin_procedures", d)
}

// adminProceduresImport imports an uploaded catalogue, or with dry_run only
// checks it and counts what it would change. A catalogue with any problem
// changes nothing; every problem is listed with the path of its value.
func (h *handler) adminProceduresImport(w http.ResponseWriter, r *http.Request) {
	a := state(r).actor
	if err := h.app.Identity.Can(r.Context(), a, identity.PermProceduresManage, 0); err != nil {
		h.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCatalogueForm)
	if err := r.ParseMultipartForm(maxCatalogueForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.fail(w, r, egov.Errorf(egov.ETOOLARGE, "error.body_too_large", dossier.MaxCatalogueBytes))
			return
		}
		h.fail(w, r, egov.Errorf(egov.EINVALID, "error.bad_form"))
		return
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	p := h.newPage(r, "admin.procedures.title", "admin")
	d := &adminProceduresData{page: p, DryRun: r.FormValue("dry_run") != ""}
	f, _, err := r.FormFile("file")
	if err != nil {
		p.Error = tr(p.Lang, "admin.procedures.no_file")
		h.renderProceduresAdmin(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	body, err := io.ReadAll(io.LimitReader(f, dossier.MaxCatalogueBytes+1))
	f.Close()
	if err != nil {
		h.fail(w, r, egov.Errorf(egov.EINVALID, "error.bad_form"))
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		p.Error = tr(p.Lang, "admin.procedures.no_file")
		h.renderProceduresAdmin(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	ps, err := dossier.ParseCatalogueFile(body)
	var res dossier.ImportResult
	if err == nil {
		res, err = h.app.Procedures.Import(r.Context(), a, ps, d.DryRun)
	}
	if err != nil {
		if errors.As(err, &d.Problems) {
			h.renderProceduresAdmin(w, r, http.StatusUnprocessableEntity, d)
			return
		}
		h.fail(w, r, err)
		return
	}
	if d.DryRun {
		p.Notice = tr(p.Lang, "admin.procedures.checked", res.Added, res.Changed, res.Unchanged)
	} else {
		p.Notice = tr(p.Lang, "admin.procedures.done", res.Added, res.Changed, res.Unchanged)
	}
	h.renderProceduresAdmin(w, r, http.StatusOK, d)
}
