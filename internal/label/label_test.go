package label

import (
	"bytes"
	"fmt"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const uri = "https://truyxuat.example.gov.vn/01/08939999000123/10/R2026-01"

// The SVG has the QR version's number of modules on a side (4v+17, plus
// the quiet zone), and its path draws exactly the code's dark modules.
func TestSVG(t *testing.T) {
	for _, u := range []string{"https://x.vn/01/08939999000123", uri, uri + "/21/" + strings.Repeat("9", 20) + "?linkType=gs1:pip"} {
		c, err := Encode(u)
		if err != nil {
			t.Fatal(err)
		}
		n := 4*c.Version + 17 + 2*quietZone
		if c.Size() != n {
			t.Fatalf("version %d: %d modules, want %d", c.Version, c.Size(), n)
		}
		var b bytes.Buffer
		if err := c.SVG(&b); err != nil {
			t.Fatal(err)
		}
		svg := b.String()
		if !strings.Contains(svg, fmt.Sprintf(`viewBox="0 0 %d %d"`, n, n)) {
			t.Errorf("viewBox of version %d: %.120s", c.Version, svg)
		}
		drawn := make([][]bool, n)
		for i := range drawn {
			drawn[i] = make([]bool, n)
		}
		for _, m := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`).FindAllStringSubmatch(svg, -1) {
			x, _ := strconv.Atoi(m[1])
			y, _ := strconv.Atoi(m[2])
			w, _ := strconv.Atoi(m[3])
			for i := x; i < x+w; i++ {
				drawn[y][i] = true
			}
		}
		for y := range n {
			for x := range n {
				if drawn[y][x] != c.Modules[y][x] {
					t.Fatalf("module %d,%d: drawn %v, code %v", x, y, drawn[y][x], c.Modules[y][x])
				}
			}
		}
		// The quiet zone is white; the finder pattern's corner is dark.
		if c.Modules[0][0] || !c.Modules[quietZone][quietZone] {
			t.Error("quiet zone or finder pattern misplaced")
		}
	}
	if c, _ := Encode(uri); c.Version < 3 {
		t.Errorf("a %d-byte URI in version %d", len(uri), c.Version)
	}
	if _, err := Encode(strings.Repeat("x", MaxURI+1)); err == nil {
		t.Error("an over-long URI was encoded")
	}
}

// The PNG decodes, square, a whole number of pixels per module.
func TestPNG(t *testing.T) {
	c, err := Encode(uri)
	if err != nil {
		t.Fatal(err)
	}
	for size, want := range map[int]int{300: 300 / c.Size() * c.Size(), 10: MinPNG / c.Size() * c.Size(), 99999: MaxPNG / c.Size() * c.Size()} {
		var b bytes.Buffer
		if err := c.PNG(&b, size); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&b)
		if err != nil {
			t.Fatal(err)
		}
		if r := img.Bounds(); r.Dx() != want || r.Dy() != want {
			t.Errorf("size %d: %v, want %d", size, r, want)
		}
		scale := want / c.Size()
		// The first dark module of the finder pattern is black, the quiet
		// zone white.
		if y, _, _, _ := img.At(quietZone*scale, quietZone*scale).RGBA(); y != 0 {
			t.Errorf("size %d: finder pattern not dark", size)
		}
		if y, _, _, _ := img.At(0, 0).RGBA(); y != 0xffff {
			t.Errorf("size %d: quiet zone not white", size)
		}
	}
}

func TestSheet(t *testing.T) {
	var labels []Label
	for i := range 22 {
		labels = append(labels, Label{URI: fmt.Sprintf("%s/21/B%03d", uri, i), Product: "Gạo ST25 Mỹ Xuyên", Lot: "Lô R2026-01"})
	}
	var b bytes.Buffer
	if err := Sheet(&b, "Tem truy xuất", labels); err != nil {
		t.Fatal(err)
	}
	pdf := b.String()
	if !strings.HasPrefix(pdf, "%PDF-") {
		t.Fatal("not a PDF")
	}
	// 21 labels a page: 22 take two pages, and 22 images.
	if n := strings.Count(pdf, "/Type /Page\n") + strings.Count(pdf, "/Type /Page "); n != 2 {
		t.Errorf("%d pages", n)
	}
	if n := strings.Count(pdf, "/Subtype /Image"); n != 22 {
		t.Errorf("%d images", n)
	}
	if err := Sheet(&b, "x", make([]Label, MaxSheet+1)); err == nil {
		t.Error("an over-long sheet was made")
	}
}
