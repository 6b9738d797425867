package web

import (
	"regexp"
	"strconv"
	"testing"
)

// A chart of one category is narrow, but its legend's names must still fit
// inside the drawing (a period's code was cut to "202").
func TestChartFitsItsLegend(t *testing.T) {
	c := &chart{ID: "c", Title: "t", Categories: []string{"Xã An Thạnh"}, Series: []string{"202602 — Tháng 2 năm 2026"},
		Values: [][]float64{{6}}, Format: func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }}
	m := regexp.MustCompile(`viewBox="0 0 ([0-9.]+) `).FindStringSubmatch(string(c.svgBar()))
	if m == nil {
		t.Fatal("no viewBox")
	}
	w, _ := strconv.ParseFloat(m[1], 64)
	if need := chartLeft + 18 + 7*float64(len([]rune(c.Series[0]))); w < need {
		t.Errorf("width %v leaves the legend cut (needs %v)", w, need)
	}
}
