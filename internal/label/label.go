// Package label draws traceability labels: the GS1 Digital Link URI of a
// lot or an item as a QR code (TCVN 13275:2020 carriers), as PNG, as SVG
// drawn here from the code's modules, and as a printable A4 sheet of
// labels with the product's name, the lot and the URI in words under each
// code.
package label

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"egov/internal/dossier"
)

// Bounds on what a request may ask for.
const (
	MaxURI      = 512 // bytes of a Digital Link
	MinPNG      = 64  // pixels
	MaxPNG      = 1024
	MaxSheet    = 120 // labels per PDF
	quietZone   = 4   // modules of white around a QR code (ISO/IEC 18004)
	recoveryLvl = qrcode.Medium
)

// Label is one label: the URI its code carries and the words under it.
type Label struct {
	URI     string
	Product string
	Lot     string
}

// Code is a QR code's modules, quiet zone included: Modules[y][x] is dark.
type Code struct {
	Version int
	Modules [][]bool
}

// Encode makes the QR code of a URI, at error correction level M (15%: a
// label survives a scratch).
func Encode(uri string) (*Code, error) {
	if uri == "" || len(uri) > MaxURI {
		return nil, fmt.Errorf("label: a URI of 1 to %d bytes", MaxURI)
	}
	q, err := qrcode.New(uri, recoveryLvl)
	if err != nil {
		return nil, err
	}
	return &Code{Version: q.VersionNumber, Modules: q.Bitmap()}, nil
}

// Size is the number of modules on a side, quiet zone included.
func (c *Code) Size() int { return len(c.Modules) }

// SVG writes the code as an SVG image: one path of unit squares on a white
// square, so it scales to any print size without blurring.
func (c *Code) SVG(w io.Writer) error {
	n := c.Size()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range c.Modules {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			// A run of dark modules is one rectangle.
			end := x
			for end+1 < len(row) && row[end+1] {
				end++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, end-x+1, end-x+1)
			x = end
		}
	}
	b.WriteString(`"/></svg>`)
	_, err := io.WriteString(w, b.String())
	return err
}

// Image draws the code with scale pixels per module.
func (c *Code) Image(scale int) image.Image {
	n := c.Size()
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y, row := range c.Modules {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				off := (y*scale+dy)*img.Stride + x*scale
				for dx := 0; dx < scale; dx++ {
					img.Pix[off+dx] = 0
				}
			}
		}
	}
	return img
}

// PNG writes the code as a PNG of about size pixels a side: a whole number
// of pixels per module (never blurred), at least one.
func (c *Code) PNG(w io.Writer, size int) error {
	size = min(max(size, MinPNG), MaxPNG)
	return png.Encode(w, c.Image(max(1, size/c.Size())))
}

// Sheet geometry, millimetres: A4 with 3 × 7 labels of 60 × 38 mm.
const (
	pageW, pageH   = 210.0, 297.0
	cols, rows     = 3, 7
	cellW, cellH   = 63.0, 38.0
	marginX        = (pageW - cols*cellW) / 2
	marginY        = (pageH - rows*cellH) / 2
	codeMM         = 30.0
	textX          = codeMM + 3
	textW          = cellW - textX - 2
	fontSize       = 8.0
	uriFontSize    = 5.5
	lineH          = 3.6
	uriLineH       = 2.6
	labelPadding   = 2.0
	pixelsPerModul = 8
)

// Sheet writes labels as an A4 PDF of 3 × 7 labels a page, each code with
// the product's name, the lot and the URI in words beside it, with cut
// lines between labels.
func Sheet(w io.Writer, title string, labels []Label) error {
	if len(labels) == 0 || len(labels) > MaxSheet {
		return fmt.Errorf("label: 1 to %d labels a sheet", MaxSheet)
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	font := dossier.AddFonts(pdf)
	pdf.SetTitle(title, true)
	pdf.SetCreator("egov", false)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCellMargin(0)
	pdf.SetDrawColor(200, 200, 200)
	images := map[string]string{}
	for i, l := range labels {
		if i%(cols*rows) == 0 {
			pdf.AddPage()
		}
		k := i % (cols * rows)
		x, y := marginX+float64(k%cols)*cellW, marginY+float64(k/cols)*cellH
		pdf.Rect(x, y, cellW, cellH, "D")
		name, ok := images[l.URI]
		if !ok {
			c, err := Encode(l.URI)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, c.Image(pixelsPerModul)); err != nil {
				return err
			}
			name = fmt.Sprintf("qr%d", len(images))
			pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, &buf)
			images[l.URI] = name
		}
		pdf.ImageOptions(name, x+labelPadding, y+(cellH-codeMM)/2, codeMM, codeMM, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		pdf.SetXY(x+textX, y+labelPadding+1)
		pdf.SetFont(font, "B", fontSize)
		pdf.MultiCell(textW, lineH, clip(l.Product, 60), "", "L", false)
		pdf.SetX(x + textX)
		pdf.SetFont(font, "", fontSize)
		pdf.MultiCell(textW, lineH, clip(l.Lot, 40), "", "L", false)
		pdf.SetX(x + textX)
		pdf.SetFont(font, "", uriFontSize)
		pdf.MultiCell(textW, uriLineH, breakURI(l.URI), "", "L", false)
	}
	return pdf.Output(w)
}

// breakURI lets a long URI wrap after its slashes.
func breakURI(s string) string { return strings.ReplaceAll(s, "/", "/\u200b") }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
