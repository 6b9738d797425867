package dossier

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
)

// The forms' PDFs are read back without outside tools: fpdf writes each
// run of text of a Unicode font as a literal string of UTF-16BE code
// units, "(…)Tj", in the page's content stream (Flate-compressed), and
// the font's CIDs are the code points (Identity-H with a CIDToGIDMap). So
// the text is those strings, decoded, in the order they were drawn.

var (
	streamRE = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	tjRE     = regexp.MustCompile(`(?s)\(((?:\\.|[^\\)])*)\)\s*Tj`)
)

// pdfText returns the text of a PDF the forms wrote, runs joined by one
// space and white space folded.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	var runs []string
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		data := m[1]
		if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			if plain, err := io.ReadAll(zr); err == nil {
				data = plain
			}
		}
		for _, tj := range tjRE.FindAllSubmatch(data, -1) {
			runs = append(runs, decodeUTF16(unescapePDF(tj[1])))
		}
	}
	if len(runs) == 0 {
		t.Fatal("no text in the PDF")
	}
	return strings.Join(strings.Fields(strings.Join(runs, " ")), " ")
}

// unescapePDF undoes the escapes of a PDF literal string that fpdf makes.
func unescapePDF(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			i++
			switch b[i] {
			case 'r':
				out = append(out, '\r')
			case 'n':
				out = append(out, '\n')
			default:
				out = append(out, b[i])
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}

func decodeUTF16(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

// wantText checks that text holds every string of want.
func wantText(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the text lacks %q:\n%s", w, text)
		}
	}
}

func TestPDFTextReadsBack(t *testing.T) {
	// The reader itself: a form with characters that need escaping.
	r := sampleReceipt(1)
	r.ApplicantName = `Lê (Văn) \ Tâm`
	text := pdfText(t, renderPDF(t, r))
	wantText(t, text, `Tiếp nhận hồ sơ của: Lê (Văn) \ Tâm`, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
}
