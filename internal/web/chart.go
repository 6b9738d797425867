package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// chart is what the SVG charts draw: categories along the horizontal axis,
// one series per colour, a value per category and series (NaN: none).
type chart struct {
	ID          string // unique on the page
	Title, Desc string
	Categories  []string
	Series      []string
	Values      [][]float64 // [series][category]
	Format      func(float64) string
}

// chartPalette is readable on white and distinct for the common kinds of
// colour blindness (Okabe–Ito).
var chartPalette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"}

// Bounds of a chart, so that a large query still gives a readable drawing.
const (
	chartMaxCategories = 40
	chartMaxSeries     = 8 // the palette's colours
)

// Drawing geometry, in SVG units (the drawing scales to its container).
const (
	chartLeft, chartRight, chartTop = 80.0, 16.0, 16.0
	chartPlotH                      = 240.0
	chartLabelH                     = 90.0 // rotated category labels
	chartLegendRow                  = 20.0
)

// scale returns the axis maximum, minimum and tick step: a 1, 2 or 5 step
// that gives four to eight ticks.
func (c *chart) scale() (lo, hi, step float64) {
	lo, hi = 0, 0
	for _, s := range c.Values {
		for _, v := range s {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	return math.Floor(lo/step) * step, math.Ceil(hi/step) * step, step
}

// svgBar draws grouped vertical bars; svgLine draws a line per series.
func (c *chart) svgBar() template.HTML  { return c.svg(false) }
func (c *chart) svgLine() template.HTML { return c.svg(true) }

func (c *chart) svg(line bool) template.HTML {
	nc, ns := len(c.Categories), len(c.Series)
	if nc == 0 || ns == 0 {
		return ""
	}
	slot := math.Max(24, float64(ns)*14+10)
	if line {
		slot = 48
	}
	plotW := slot * float64(nc)
	width := chartLeft + plotW + chartRight
	// The legend's names must fit too: about 7 units a character at its
	// font size.
	for _, name := range c.Series {
		width = math.Max(width, chartLeft+18+7*float64(utf8.RuneCountInString(name))+8)
	}
	legendH := chartLegendRow * float64(ns)
	height := chartTop + chartPlotH + chartLabelH + legendH + 8
	lo, hi, step := c.scale()
	y := func(v float64) float64 { return chartTop + chartPlotH*(hi-v)/(hi-lo) }
	var b strings.Builder
	f := func(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }
	id := c.ID
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" role="img" aria-labelledby="%s-t %s-d">`,
		f(width), f(height), f(width), id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(c.Title), id, esc(c.Desc))
	// Grid and value axis.
	b.WriteString(`<g class="axis" font-size="11" text-anchor="end">`)
	for v := lo; v <= hi+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#ddd"/>`, f(chartLeft), f(chartLeft+plotW), f(y(v)), f(y(v)))
		fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`, f(chartLeft-6), f(y(v)+4), esc(c.Format(v)))
	}
	fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#333"/>`, f(chartLeft), f(chartLeft+plotW), f(y(math.Max(lo, 0))), f(y(math.Max(lo, 0))))
	b.WriteString(`</g>`)
	// Category labels, rotated so that long unit names fit.
	b.WriteString(`<g class="labels" font-size="11" text-anchor="end">`)
	for i, cat := range c.Categories {
		x := chartLeft + slot*(float64(i)+0.5)
		ly := chartTop + chartPlotH + 12
		fmt.Fprintf(&b, `<text transform="translate(%s %s) rotate(-40)">%s</text>`, f(x), f(ly), esc(clipRunes(cat, 18)))
	}
	b.WriteString(`</g>`)
	base := y(math.Max(lo, 0))
	for s := range c.Series {
		colour := chartPalette[s%len(chartPalette)]
		fmt.Fprintf(&b, `<g class="series" fill="%s" stroke="%s">`, colour, colour)
		var pts []string
		for i := range c.Categories {
			v := c.Values[s][i]
			if math.IsNaN(v) {
				if line && len(pts) > 0 {
					fmt.Fprintf(&b, `<polyline fill="none" stroke-width="2" points="%s"/>`, strings.Join(pts, " "))
					pts = nil
				}
				continue
			}
			label := c.Series[s] + ", " + c.Categories[i] + ": " + c.Format(v)
			if line {
				x := chartLeft + slot*(float64(i)+0.5)
				pts = append(pts, f(x)+","+f(y(v)))
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3"><title>%s</title></circle>`, f(x), f(y(v)), esc(label))
				continue
			}
			x := chartLeft + slot*float64(i) + 5 + 14*float64(s)
			top, h := math.Min(y(v), base), math.Abs(y(v)-base)
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="12" height="%s" stroke="none"><title>%s</title></rect>`, f(x), f(top), f(h), esc(label))
		}
		if line && len(pts) > 0 {
			fmt.Fprintf(&b, `<polyline fill="none" stroke-width="2" points="%s"/>`, strings.Join(pts, " "))
		}
		b.WriteString(`</g>`)
	}
	// Legend.
	b.WriteString(`<g class="legend" font-size="12">`)
	for s, name := range c.Series {
		ly := chartTop + chartPlotH + chartLabelH + chartLegendRow*float64(s)
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="12" height="12" fill="%s"/><text x="%s" y="%s">%s</text>`,
			f(chartLeft), f(ly), chartPalette[s%len(chartPalette)], f(chartLeft+18), f(ly+10), esc(name))
	}
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}

// esc escapes text for SVG (XML) content and attributes.
func esc(s string) string { return template.HTMLEscapeString(s) }

// formatNumber writes a value in the language's convention, with at most
// two decimals: 1.234.567,5 in Vietnamese, 1,234,567.5 in English.
func formatNumber(lang string, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	neg := v < 0
	v = math.Round(math.Abs(v)*100) / 100
	whole := math.Floor(v)
	frac := int64(math.Round((v - whole) * 100))
	s := thousands(lang, int64(whole))
	if frac > 0 {
		dec := "."
		if tr(lang, "format.thousands") == "." {
			dec = ","
		}
		s += dec + strings.TrimRight(fmt.Sprintf("%02d", frac), "0")
	}
	if neg && s != "0" {
		s = "-" + s
	}
	return s
}
