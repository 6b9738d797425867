package dossier_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"egov"
	"egov/internal/app"
	"egov/internal/dossier"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

// Small files of each accepted type, and of others.
var (
	pdfFile  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	jpegFile = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, bytes.Repeat([]byte{0x42}, 64)...)
	pngFile  = append([]byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R'}, bytes.Repeat([]byte{7}, 32)...)
	htmlFile = []byte("<!doctype html><html><body><script>alert(document.cookie)</script></body></html>")
)

// draft starts a draft of 1.004873 for citizen.
func (w *world) draft(citizen string) *dossier.Dossier {
	w.t.Helper()
	d, err := w.app.Dossiers.CreateDraft(w.ctx, w.actor(citizen), dossier.NewDossier{ProcedureCode: "1.004873", UnitCode: "31615"})
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

func (w *world) attach(who, key, field, name string, content []byte) (*dossier.Attachment, error) {
	return w.app.Dossiers.Attach(w.ctx, w.actor(who), key, field, name, bytes.NewReader(content))
}

func (w *world) mustAttach(who, key, field, name string, content []byte) *dossier.Attachment {
	w.t.Helper()
	at, err := w.attach(who, key, field, name, content)
	if err != nil {
		w.t.Fatalf("%s attaching %s to %s: %v", who, name, key, err)
	}
	return at
}

func errKey(err error) string {
	k, _ := egov.ErrorKey(err)
	return k
}

func TestAttachmentTypesAreReadFromTheContent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.draft("congdan.1")
		for _, c := range []struct {
			field, name string
			content     []byte
			mime, clean string
		}{
			{"divorce_or_death_file", `C:\Users\Lan\Desktop\Bản án ly hôn.PDF`, pdfFile, dossier.MimePDF, "Bản án ly hôn.pdf"},
			{"divorce_or_death_file", "trang 2.png", jpegFile, dossier.MimeJPEG, "trang 2.jpg"},
			{"previous_cert_file", "../../etc/giay xac nhan", pngFile, dossier.MimePNG, "giay xac nhan.png"},
			{"", "Ảnh.jpeg", jpegFile, dossier.MimeJPEG, "Ảnh.jpeg"},
		} {
			at := w.mustAttach("congdan.1", d.Ref, c.field, c.name, c.content)
			if at.MIME != c.mime || at.Name != c.clean || at.Size != int64(len(c.content)) || at.Field != c.field ||
				len(at.Token) != 16 || len(at.Hash) != 64 {
				t.Errorf("%s: %+v", c.name, at)
			}
		}
		// An HTML page named .pdf, an empty file, a field that takes no file.
		if _, err := w.attach("congdan.1", d.Ref, "divorce_or_death_file", "ban-an.pdf", htmlFile); errCode(err) != egov.EINVALID || errKey(err) != "attachment.type" {
			t.Errorf("HTML named .pdf: %v", err)
		}
		if _, err := w.attach("congdan.1", d.Ref, "divorce_or_death_file", "trong.pdf", nil); errCode(err) != egov.EINVALID || errKey(err) != "attachment.empty" {
			t.Errorf("an empty file: %v", err)
		}
		for _, f := range []string{"purpose", "no_such_field"} {
			if _, err := w.attach("congdan.1", d.Ref, f, "a.pdf", pdfFile); errCode(err) != egov.EINVALID || errKey(err) != "attachment.field_invalid" {
				t.Errorf("field %s: %v", f, err)
			}
		}
		atts, err := w.app.Dossiers.Attachments(w.ctx, w.actor("congdan.1"), d.Ref)
		if err != nil || len(atts) != 4 || atts[0].Name != "Bản án ly hôn.pdf" || atts[3].Field != "" || atts[0].UploaderName != "Nguyễn Thị Lan" {
			t.Fatalf("attachments %+v %v", atts, err)
		}
		at, content, err := w.app.Dossiers.OpenAttachment(w.ctx, w.actor("congdan.1"), d.Ref, atts[1].Token)
		if err != nil || !bytes.Equal(content, jpegFile) || at.MIME != dossier.MimeJPEG {
			t.Fatalf("open: %+v %v", at, err)
		}
		// The field's value is left alone: the link is the attachment's.
		d, _ = w.app.Dossiers.Get(w.ctx, w.actor("congdan.1"), d.Ref)
		if len(d.Fields) != 0 {
			t.Errorf("fields %v", d.Fields)
		}
	})
}

func TestAttachmentLimits(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.draft("congdan.1")
		big := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{'x'}, dossier.MaxAttachmentBytes-9)...)
		if _, err := w.attach("congdan.1", d.Ref, "", "qua-lon.pdf", append(big, 'y')); errCode(err) != egov.ETOOLARGE || errKey(err) != "attachment.too_large" {
			t.Fatalf("a file over 10 MiB: %v", err)
		}
		// Five files of exactly 10 MiB fill the dossier's 50 MiB; the same
		// bytes are stored once, but each file counts.
		for i := 0; i < dossier.MaxDossierBytes/dossier.MaxAttachmentBytes; i++ {
			w.mustAttach("congdan.1", d.Ref, "", "trang.pdf", big)
		}
		if _, err := w.attach("congdan.1", d.Ref, "", "them.png", pngFile); errCode(err) != egov.ETOOLARGE || errKey(err) != "attachment.dossier_too_large" {
			t.Fatalf("over 50 MiB in the dossier: %v", err)
		}
		var blobs int
		if err := db.QueryRowContext(w.ctx, `SELECT count(*) FROM blobs`).Scan(&blobs); err != nil || blobs != 1 {
			t.Fatalf("%d blobs, %v", blobs, err)
		}
		// At most 30 files.
		d2 := w.draft("congdan.1")
		for i := 0; i < dossier.MaxAttachments; i++ {
			w.mustAttach("congdan.1", d2.Ref, "", "anh.png", append(pngFile, byte(i)))
		}
		if _, err := w.attach("congdan.1", d2.Ref, "", "anh.png", pngFile); errCode(err) != egov.ETOOLARGE || errKey(err) != "attachment.too_many" {
			t.Fatalf("the 31st file: %v", err)
		}
	})
}

// Uploads to one dossier at once count each other: the limit holds. On
// PostgreSQL the uploads are held at the audit log's head (the last step
// of each) until all of them are past their counting, so that without
// the dossier's lock each would count the same files.
func TestConcurrentAttachmentsKeepTheLimit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.draft("congdan.1")
		for i := 0; i < dossier.MaxAttachments-2; i++ {
			w.mustAttach("congdan.1", d.Ref, "", "a.png", append(bytes.Clone(pngFile), byte(i)))
		}
		const n = 8
		// On PostgreSQL several processes share the database, each with its
		// own writer, so their transactions race in the database itself: four
		// processes, all held at the audit log's head until each has one
		// transaction waiting, then let go at once.
		procs := []*app.App{w.app}
		release := func() {}
		if db.Engine() == store.Postgres {
			for len(procs) < 4 {
				procs = append(procs, app.New(reopen(t, db), nil))
			}
			release = holdAuditHead(t, reopen(t, db), len(procs))
		}
		a := w.actor("congdan.1")
		results := make(chan error, n)
		for i := 0; i < n; i++ {
			content := append(bytes.Clone(pdfFile), byte(i))
			ds := procs[i%len(procs)].Dossiers
			go func() {
				_, err := ds.Attach(w.ctx, a, d.Ref, "", "b.pdf", bytes.NewReader(content))
				results <- err
			}()
		}
		release()
		ok := 0
		for i := 0; i < n; i++ {
			switch err := <-results; {
			case err == nil:
				ok++
			case errKey(err) != "attachment.too_many":
				t.Fatalf("a concurrent upload failed with %v", err)
			}
		}
		atts, _ := w.app.Dossiers.Attachments(w.ctx, a, d.Ref)
		if ok != 2 || len(atts) != dossier.MaxAttachments {
			t.Fatalf("%d of %d concurrent uploads succeeded; %d attachments", ok, n, len(atts))
		}
	})
}

// reopen opens the database of db again, as another process would.
func reopen(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	other, err := store.Open(context.Background(), db.Location)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// holdAuditHead locks the audit log's head in a transaction of its own on
// db; the function it returns waits until n other connections wait,
// directly or not, for that one, then lets them go.
func holdAuditHead(t *testing.T, db *store.DB, n int) func() {
	t.Helper()
	ctx := context.Background()
	pid, done, finished := make(chan int, 1), make(chan struct{}), make(chan error, 1)
	go func() {
		finished <- db.InTx(ctx, func(tx *store.Tx) error {
			var p int
			if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING pg_backend_pid()`).Scan(&p); err != nil {
				pid <- 0
				return err
			}
			pid <- p
			<-done
			return nil
		})
	}()
	holder := <-pid
	if holder == 0 {
		t.Fatal(<-finished)
	}
	return func() {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for waiting := 0; waiting < n; {
			if err := db.QueryRowContext(ctx, `WITH RECURSIVE blocked (pid) AS (
				SELECT pid FROM pg_stat_activity WHERE ? = ANY (pg_blocking_pids(pid))
				UNION SELECT a.pid FROM pg_stat_activity a JOIN blocked b ON b.pid = ANY (pg_blocking_pids(a.pid))
			) SELECT count(*) FROM blocked`, holder).Scan(&waiting); err != nil || time.Now().After(deadline) {
				close(done)
				t.Fatalf("waiting for %d blocked connections, %d so far: %v", n, waiting, err)
			}
		}
		close(done)
		if err := <-finished; err != nil {
			t.Fatal(err)
		}
	}
}

func countBlobs(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM blobs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAttachmentsAreStoredOncePerContent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		a, b := w.draft("congdan.1"), w.draft("congdan.2")
		x := w.mustAttach("congdan.1", a.Ref, "divorce_or_death_file", "ban-an.pdf", pdfFile)
		y := w.mustAttach("congdan.2", b.Ref, "", "khac-ten.pdf", pdfFile)
		if x.Hash != y.Hash || x.Token == y.Token || countBlobs(t, db) != 1 {
			t.Fatalf("two uploads of the same bytes: %s %s, %d blobs", x.Hash, y.Hash, countBlobs(t, db))
		}
		// The bytes stay while an attachment has them.
		if err := w.app.Dossiers.RemoveAttachment(w.ctx, w.actor("congdan.1"), a.Ref, x.Token); err != nil {
			t.Fatal(err)
		}
		if countBlobs(t, db) != 1 {
			t.Fatal("the bytes went with the first attachment")
		}
		if _, _, err := w.app.Dossiers.OpenAttachment(w.ctx, w.actor("congdan.2"), b.Ref, y.Token); err != nil {
			t.Fatal(err)
		}
		if err := w.app.Dossiers.RemoveAttachment(w.ctx, w.actor("congdan.2"), b.Ref, y.Token); err != nil {
			t.Fatal(err)
		}
		if countBlobs(t, db) != 0 {
			t.Fatal("the bytes stayed after their last attachment")
		}
		if _, _, err := w.app.Dossiers.OpenAttachment(w.ctx, w.actor("congdan.2"), b.Ref, y.Token); errCode(err) != egov.ENOTFOUND {
			t.Fatalf("a removed attachment: %v", err)
		}
	})
}

func TestWhoMayAttach(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		draft := w.draft("congdan.1")
		mine := w.mustAttach("congdan.1", draft.Ref, "", "a.pdf", pdfFile)
		// Nobody else sees or touches a draft.
		for _, who := range []string{"congdan.2", "motcua.31615", "motcua.31507"} {
			if _, err := w.attach(who, draft.Ref, "", "b.pdf", pdfFile); errCode(err) != egov.ENOTFOUND {
				t.Errorf("%s attaching to a draft: %v", who, err)
			}
			if _, err := w.app.Dossiers.Attachments(w.ctx, w.actor(who), draft.Ref); errCode(err) != egov.ENOTFOUND {
				t.Errorf("%s listing a draft's files: %v", who, err)
			}
			if err := w.app.Dossiers.RemoveAttachment(w.ctx, w.actor(who), draft.Ref, mine.Token); errCode(err) != egov.ENOTFOUND {
				t.Errorf("%s removing from a draft: %v", who, err)
			}
		}
		if _, err := w.app.Dossiers.Attach(w.ctx, nil, draft.Ref, "", "a.pdf", bytes.NewReader(pdfFile)); errCode(err) != egov.EUNAUTHORIZED {
			t.Errorf("no one attaching: %v", err)
		}

		d := w.filed("congdan.1")
		// Filed, the citizen may attach only when documents are asked for.
		if _, err := w.attach("congdan.1", d.Code, "", "a.pdf", pdfFile); errCode(err) != egov.ECONFLICT {
			t.Errorf("the citizen attaching to a new dossier: %v", err)
		}
		// Another commune's desk learns nothing; a specialist is no desk.
		if _, err := w.attach("motcua.31507", d.Code, "", "a.pdf", pdfFile); errCode(err) != egov.ENOTFOUND {
			t.Errorf("another commune's desk: %v", err)
		}
		if _, err := w.attach("chuyenvien.31615", d.Code, "", "a.pdf", pdfFile); errCode(err) != egov.EFORBIDDEN {
			t.Errorf("a specialist: %v", err)
		}
		// The desk attaches what the applicant brings, at reception.
		desk := w.mustAttach("motcua.31615", d.Code, "divorce_or_death_file", "scan.jpg", jpegFile)
		w.must("motcua.31615", d.Code, dossier.ActReceive, dossier.ActionInput{})
		w.mustAttach("motcua.31615", d.Code, "", "scan2.png", pngFile)
		w.must("motcua.31615", d.Code, dossier.ActRequestDocuments, missing("Thiếu bản án ly hôn", "divorce_or_death_file"))
		// Only the marked items are open.
		if _, err := w.attach("congdan.1", d.Code, "previous_cert_file", "cu.pdf", pdfFile); errKey(err) != "dossier.supply_not_marked" {
			t.Errorf("a file for an unmarked item: %v", err)
		}
		w.mustAttach("congdan.1", d.Code, "divorce_or_death_file", "ban-an.pdf", pdfFile)
		if err := w.app.Dossiers.RemoveAttachment(w.ctx, w.actor("congdan.1"), d.Code, desk.Token); errCode(err) != egov.ECONFLICT {
			t.Errorf("removing from a filed dossier: %v", err)
		}
		w.must("congdan.1", d.Code, dossier.ActSupplyDocuments, dossier.ActionInput{})
		if _, err := w.attach("congdan.1", d.Code, "", "c.pdf", pdfFile); errCode(err) != egov.ECONFLICT {
			t.Errorf("the citizen attaching after the supplement: %v", err)
		}
		w.must("motcua.31615", d.Code, dossier.ActAssign, dossier.ActionInput{Assignee: "chuyenvien.31615"})
		if _, err := w.attach("motcua.31615", d.Code, "", "d.pdf", pdfFile); errCode(err) != egov.ECONFLICT {
			t.Errorf("the desk attaching while it is processed: %v", err)
		}

		// Reading: the applicant and the unit's officers; officers' opening
		// is audited.
		for _, who := range []string{"congdan.2", "motcua.31507"} {
			if _, err := w.app.Dossiers.Attachments(w.ctx, w.actor(who), d.Code); errCode(err) != egov.ENOTFOUND {
				t.Errorf("%s listing: %v", who, err)
			}
			if _, _, err := w.app.Dossiers.OpenAttachment(w.ctx, w.actor(who), d.Code, desk.Token); errCode(err) != egov.ENOTFOUND {
				t.Errorf("%s opening: %v", who, err)
			}
		}
		// A token of another dossier is not found in this one.
		if _, _, err := w.app.Dossiers.OpenAttachment(w.ctx, w.actor("congdan.1"), d.Code, mine.Token); errCode(err) != egov.ENOTFOUND {
			t.Errorf("another dossier's token: %v", err)
		}
		atts, err := w.app.Dossiers.Attachments(w.ctx, w.actor("chuyenvien.31615"), d.Code)
		if err != nil || len(atts) != 3 || atts[0].UploaderName != "Lâm Thị Hồng" {
			t.Fatalf("the specialist lists %+v, %v", atts, err)
		}
		for _, who := range []string{"congdan.1", "chuyenvien.31615", "lanhdao.92"} {
			if _, content, err := w.app.Dossiers.OpenAttachment(w.ctx, w.actor(who), d.Code, desk.Token); err != nil || !bytes.Equal(content, jpegFile) {
				t.Errorf("%s opening: %v", who, err)
			}
		}
		reads, _ := w.app.Identity.AuditLog(w.ctx, w.actor("admin"), auditFilter("dossier.attachment_read"))
		if len(reads) != 2 {
			t.Errorf("%d audited openings, want 2 (the officers')", len(reads))
		}
		attached, _ := w.app.Identity.AuditLog(w.ctx, w.actor("admin"), auditFilter("dossier.attachment_add"))
		if len(attached) != 4 || strings.Contains(attached[0].Summary, ".pdf") {
			t.Errorf("%d audited attachments: %+v", len(attached), attached)
		}
	})
}

// death is a complete form of 1.000656 (đăng ký khai tử) but for the
// death notice, a required file field.
func death() map[string]string {
	return map[string]string{
		"requester_full_name": "Nguyễn Thị Lan", "requester_cccd": "094190001234", "requester_relation": "Con",
		"requester_phone": "0912345678", "deceased_full_name": "Nguyễn Văn Ba", "deceased_birth_date": "1950-01-01",
		"death_date": "2026-10-30", "death_place": "Ấp An Thạnh, Xã An Thạnh",
	}
}

func TestARequiredFileFieldIsFilledByAnAttachment(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		a := w.actor("congdan.1")
		d, err := w.app.Dossiers.CreateDraft(w.ctx, a, dossier.NewDossier{ProcedureCode: "1.000656", UnitCode: "31615", Fields: death()})
		if err != nil {
			t.Fatal(err)
		}
		var fe dossier.FormErrors
		if _, err := w.app.Dossiers.Submit(w.ctx, a, d.Ref); !asFormErrors(err, &fe) || len(fe) != 1 || fe["death_notice_file"] == nil {
			t.Fatalf("without the death notice: %v", err)
		}
		// Another document does not answer the field.
		w.mustAttach("congdan.1", d.Ref, "", "khac.pdf", pdfFile)
		if _, err := w.app.Dossiers.Submit(w.ctx, a, d.Ref); !asFormErrors(err, &fe) || fe["death_notice_file"] == nil {
			t.Fatalf("with another document: %v", err)
		}
		w.mustAttach("congdan.1", d.Ref, "death_notice_file", "giay-bao-tu.jpg", jpegFile)
		if d, err = w.app.Dossiers.Submit(w.ctx, a, d.Ref); err != nil || d.Status != dossier.StatusNew {
			t.Fatalf("with the death notice attached: %v", err)
		}

		// At the counter the scans come with the intake, in its transaction.
		desk := w.actor("motcua.31615")
		in := dossier.NewDossier{ProcedureCode: "1.000656", UnitCode: "31615", Channel: dossier.ChannelDirect, Fields: death(),
			Applicant: dossier.Applicant{Name: "Sơn Văn Đức", Phone: "0987654321"}}
		if _, err := w.app.Dossiers.Intake(w.ctx, desk, in); !asFormErrors(err, &fe) || fe["death_notice_file"] == nil {
			t.Fatalf("an intake without the notice: %v", err)
		}
		in.Files = []dossier.Upload{{Field: "death_notice_file", Filename: "bao-tu.html", Content: bytes.NewReader(htmlFile)}}
		if _, err := w.app.Dossiers.Intake(w.ctx, desk, in); errKey(err) != "attachment.type" {
			t.Fatalf("an intake with an HTML file: %v", err)
		}
		in.Files = []dossier.Upload{{Field: "death_notice_file", Filename: "bao-tu.pdf", Content: bytes.NewReader(pdfFile)},
			{Filename: "cccd.png", Content: bytes.NewReader(pngFile)}}
		got, err := w.app.Dossiers.Intake(w.ctx, desk, in)
		if err != nil {
			t.Fatal(err)
		}
		atts, err := w.app.Dossiers.Attachments(w.ctx, desk, got.Code)
		if err != nil || len(atts) != 2 || atts[0].Field != "death_notice_file" || atts[1].Name != "cccd.png" {
			t.Fatalf("the intake's files: %+v %v", atts, err)
		}
	})
}

func TestCleanFilename(t *testing.T) {
	long := strings.Repeat("đ", 200)
	for _, c := range []struct{ in, mime, want string }{
		{"Bản án.pdf", dossier.MimePDF, "Bản án.pdf"},
		{"Ba\u0309n a\u0301n.pdf", dossier.MimePDF, "Bản án.pdf"}, // decomposed → NFC
		{"../../etc/passwd", dossier.MimePDF, "passwd.pdf"},
		{`C:\tmp\scan.JPEG`, dossier.MimeJPEG, "scan.jpeg"},
		{"scan.jpg", dossier.MimePNG, "scan.png"},
		{"giay.khai.sinh", dossier.MimePDF, "giay.khai.pdf"},
		{"bao cao 2024.2025", dossier.MimePDF, "bao cao 2024.2025.pdf"},
		{"invoice\u202Efdp.exe", dossier.MimePDF, "invoicefdp.pdf"},
		{"a\x00b\nc\td.png", dossier.MimePNG, "ab c d.png"},
		{`Quyết định: số 12?.pdf`, dossier.MimePDF, "Quyết định số 12.pdf"},
		{"  ..hidden  ", dossier.MimePNG, "hidden.png"},
		{"", dossier.MimePDF, "tai-lieu.pdf"},
		{".pdf", dossier.MimePDF, "tai-lieu.pdf"},
		{"a.pdf. . ", dossier.MimePDF, "a.pdf"},
		{"\xff\xfe.png", dossier.MimePNG, "tai-lieu.png"},
		{long + ".pdf", dossier.MimePDF, strings.Repeat("đ", 116) + ".pdf"},
	} {
		if got := dossier.CleanFilename(c.in, c.mime); got != c.want {
			t.Errorf("CleanFilename(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzCleanFilename(f *testing.F) {
	for _, s := range []string{"Bản án.pdf", "../../x", `a\b`, "\u202Efdp.exe", ".", "", "a.JPEG", "x\x00y", "\xff", "ü.png", "é̂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, mime := range []string{dossier.MimePDF, dossier.MimeJPEG, dossier.MimePNG} {
			got := dossier.CleanFilename(name, mime)
			if !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) {
				t.Fatalf("%q → %q: not valid NFC UTF-8", name, got)
			}
			if n := utf8.RuneCountInString(got); n > dossier.MaxFilenameRunes {
				t.Fatalf("%q → %q: %d characters", name, got, n)
			}
			if strings.ContainsAny(got, `/\:*?"<>|`) || strings.HasPrefix(got, ".") || strings.HasPrefix(got, " ") {
				t.Fatalf("%q → %q: a path character or a leading dot", name, got)
			}
			for _, r := range got {
				if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
					t.Fatalf("%q → %q: control or format character %U", name, got, r)
				}
			}
			ok := false
			for _, ext := range map[string][]string{dossier.MimePDF: {".pdf"}, dossier.MimeJPEG: {".jpg", ".jpeg"}, dossier.MimePNG: {".png"}}[mime] {
				ok = ok || strings.HasSuffix(got, ext) && len(got) > len(ext)
			}
			if !ok {
				t.Fatalf("%q → %q: no extension of %s", name, got, mime)
			}
			if again := dossier.CleanFilename(got, mime); again != got {
				t.Fatalf("%q → %q → %q: not stable", name, got, again)
			}
		}
	})
}

func TestSniffType(t *testing.T) {
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{pdfFile, dossier.MimePDF}, {jpegFile, dossier.MimeJPEG}, {pngFile, dossier.MimePNG},
		{htmlFile, ""}, {nil, ""}, {[]byte("%PDF"), ""}, {[]byte{0xFF, 0xD8}, ""}, {[]byte("GIF89a"), ""},
		{append([]byte(" "), pdfFile...), ""},
	} {
		if got := dossier.SniffType(c.b); got != c.want {
			t.Errorf("SniffType(%.12q) = %q, want %q", c.b, got, c.want)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	got := dossier.ContentDisposition(`Bản án "ly hôn"; 100%.pdf`)
	want := `attachment; filename="Ban an _ly hon__ 100_.pdf"; filename*=UTF-8''B%E1%BA%A3n%20%C3%A1n%20%22ly%20h%C3%B4n%22%3B%20100%25.pdf`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
