package workcal

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"egov"
)

// Kind says whether an announced day is a day off or a working day.
type Kind uint8

// Kinds of announced days. The zero Kind is invalid.
const (
	Off  Kind = iota + 1 // a day off: a holiday, a compensatory or swapped day (ngày nghỉ)
	Work                 // a make-up working day on a weekend (ngày làm bù)
)

func (k Kind) String() string {
	switch k {
	case Off:
		return "off"
	case Work:
		return "work"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// ParseKind parses "off" or "work" (case and surrounding spaces ignored).
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "off":
		return Off, nil
	case "work":
		return Work, nil
	}
	return 0, fmt.Errorf("kind %q is neither off nor work", s)
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) {
	if k != Off && k != Work {
		return nil, fmt.Errorf("workcal: invalid kind %d", uint8(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Day is one day of a holiday schedule: a day off with the holiday's name,
// or a make-up working day on a weekend with the reason.
type Day struct {
	Date Date   `json:"date"`
	Kind Kind   `json:"kind"`
	Name string `json:"name"`
}

// Holiday names (Labour Code 2019 art. 112), in NFC.
const (
	NameNewYear      = "Tết Dương lịch"
	NameTet          = "Tết Nguyên Đán"
	NameHungKings    = "Giỗ Tổ Hùng Vương"
	NameVictory      = "Ngày Chiến thắng"
	NameLabour       = "Ngày Quốc tế Lao động"
	NameNational     = "Quốc khánh"
	compensatoryMark = " (nghỉ bù)"
)

// holiday is a statutory holiday before compensatory days are given.
type holiday struct {
	date Date
	name string
}

// statutoryHolidays returns the days off that the Labour Code gives in
// Gregorian year y, before compensation, in date order. Days that fall on a
// weekend are included: they earn compensatory days.
func statutoryHolidays(y int) []holiday {
	hs := []holiday{{NewDate(y, 1, 1), NameNewYear}}
	if tet, err := Tet(y); err == nil {
		// The last day of the old lunar year and 1–4 of month 1.
		for i := -1; i <= 3; i++ {
			hs = append(hs, holiday{tet + Date(i), NameTet})
		}
	}
	if d, err := LunarToSolar(Lunar{Day: 10, Month: 3, Year: y}); err == nil {
		hs = append(hs, holiday{d, NameHungKings})
	}
	hs = append(hs,
		holiday{NewDate(y, 4, 30), NameVictory},
		holiday{NewDate(y, 5, 1), NameLabour},
		holiday{NewDate(y, 9, 2), NameNational},
		holiday{nationalDayCompanion(y), NameNational},
	)
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].date < hs[j].date })
	return hs
}

// nationalDayCompanion returns the day next to 2 September that is also
// off (Labour Code art. 112: "2/9 and one day before or after"). The rule:
// take the neighbour that is a weekday; when both are weekdays, the one
// that joins the break to a weekend (Tuesday 2/9 → Monday 1/9, Thursday 2/9
// → Friday 3/9), and 1/9 when neither does (Wednesday 2/9). This is what
// the Government chose in 2021–2026 (2021: 3/9, 2022: 1/9, 2023: 1/9 plus a
// compensatory Monday, 2024: 3/9, 2025: 1/9, 2026: 1/9).
func nationalDayCompanion(y int) Date {
	d := NewDate(y, 9, 2)
	switch d.Weekday() {
	case time.Monday, time.Thursday, time.Sunday:
		return d + 1
	default: // Tuesday, Wednesday, Friday, Saturday
		return d - 1
	}
}

func isWeekend(d Date) bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// defaultSchedule returns year y's days off under the statutory rules:
// every holiday, and for each holiday on a Saturday or Sunday a
// compensatory day on the next working day not already off (Labour Code
// art. 111(3)), given in date order of the holidays. Weekend holidays are
// included (Kind Off) so that the calendar can name them; when two
// holidays fall on the same date their names are joined and no extra day is
// given.
func defaultSchedule(y int) []Day {
	hs := statutoryHolidays(y)
	off := make(map[Date]int, len(hs)+4) // index into days
	var days []Day
	for _, h := range hs {
		if i, dup := off[h.date]; dup {
			if !strings.Contains(days[i].Name, h.name) {
				days[i].Name += ", " + h.name
			}
			continue
		}
		off[h.date] = len(days)
		days = append(days, Day{Date: h.date, Kind: Off, Name: h.name})
	}
	n := len(days)
	for i := 0; i < n; i++ {
		h := days[i]
		if !isWeekend(h.Date) {
			continue
		}
		d := h.Date + 1
		for {
			if _, taken := off[d]; !taken && !isWeekend(d) {
				break
			}
			d++
		}
		off[d] = len(days)
		days = append(days, Day{Date: d, Kind: Off, Name: h.Name + compensatoryMark})
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
	return days
}

// DefaultHolidays returns the days off of Gregorian year y under the
// statutory rules alone (no announced schedule), including holidays that
// fall on a weekend, in date order. See doc.go for the rules.
func DefaultHolidays(y int) []Day { return defaultSchedule(y) }

// RowError is a problem with one line of a holiday file.
type RowError = egov.RowError

// RowErrors lists every bad line of a file; when ParseCSV returns it, it
// returns no days.
type RowErrors = egov.RowErrors

// Limits of a holiday file.
const (
	MaxCSVRows    = 10000
	maxNameLen    = 200 // bytes
	maxRowErrors  = 50
	csvHeaderText = "date,kind,name"
)

// ParseCSV reads an announced holiday schedule: a header "date,kind,name"
// then one row per day, e.g. "2024-02-08,off,Tết Nguyên Đán" or
// "2024-05-04,work,Làm bù cho ngày 29/4". Dates are YYYY-MM-DD; kind is off
// or work; a work day must be a Saturday or Sunday; names are required,
// valid UTF-8 in NFC (precomposed) form; a date may appear once. Every bad
// line is reported with its number (RowErrors) and then no day is
// returned. The days come back in date order.
func ParseCSV(r io.Reader) ([]Day, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, RowErrors{{Line: 1, Msg: "the file is empty: expected a header " + csvHeaderText}}
		}
		return nil, RowErrors{{Line: 1, Msg: csvMsg(err)}}
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")))
	}
	if h := strings.Join(header, ","); h != csvHeaderText {
		return nil, RowErrors{{Line: 1, Msg: fmt.Sprintf("header is %q, expected %s", h, csvHeaderText)}}
	}
	var days []Day
	var errs RowErrors
	seen := map[Date]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				// A read error, not a syntax error: nothing more can be read.
				errs = append(errs, RowError{Msg: err.Error()})
				break
			}
			errs = append(errs, RowError{Line: pe.StartLine, Msg: csvMsg(err)})
			if len(errs) >= maxRowErrors {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(days)+len(errs) >= MaxCSVRows {
			return nil, RowErrors{{Line: line, Msg: fmt.Sprintf("more than %d rows", MaxCSVRows)}}
		}
		if len(rec) != 3 {
			errs = append(errs, RowError{Line: line, Msg: fmt.Sprintf("has %d fields, expected 3 (date,kind,name)", len(rec))})
			if len(errs) >= maxRowErrors {
				break
			}
			continue
		}
		var msgs []string
		d, err := ParseDate(strings.TrimSpace(rec[0]))
		if err != nil {
			msgs = append(msgs, err.Error())
		}
		k, err := ParseKind(rec[1])
		if err != nil {
			msgs = append(msgs, err.Error())
		}
		day := Day{Date: d, Kind: k, Name: strings.Join(strings.Fields(rec[2]), " ")}
		if len(msgs) == 0 {
			msgs = append(msgs, dayProblems(day)...)
		} else if m := nameProblem(day.Name); m != "" {
			msgs = append(msgs, m)
		}
		if d != 0 {
			if prev, dup := seen[d]; dup {
				msgs = append(msgs, fmt.Sprintf("date %s already appears on line %d", d, prev))
			} else {
				seen[d] = line
			}
		}
		if len(msgs) > 0 {
			errs = append(errs, RowError{Line: line, Msg: strings.Join(msgs, "; ")})
			if len(errs) >= maxRowErrors {
				break
			}
			continue
		}
		days = append(days, day)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
	return days, nil
}

// WriteCSV writes days in the format ParseCSV reads.
func WriteCSV(w io.Writer, days []Day) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(strings.Split(csvHeaderText, ",")); err != nil {
		return err
	}
	for _, d := range days {
		if err := cw.Write([]string{d.Date.String(), d.Kind.String(), d.Name}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvMsg(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// dayProblems returns what is wrong with an announced day, if anything.
func dayProblems(d Day) []string {
	var msgs []string
	if d.Date.IsZero() {
		msgs = append(msgs, "the date is missing")
	}
	switch d.Kind {
	case Off:
	case Work:
		if !d.Date.IsZero() && !isWeekend(d.Date) {
			msgs = append(msgs, fmt.Sprintf("a make-up working day must be a Saturday or Sunday, %s is a %s", d.Date, d.Date.Weekday()))
		}
	default:
		msgs = append(msgs, fmt.Sprintf("kind %d is neither off nor work", uint8(d.Kind)))
	}
	if m := nameProblem(d.Name); m != "" {
		msgs = append(msgs, m)
	}
	return msgs
}

func nameProblem(name string) string {
	if !utf8.ValidString(name) {
		return "the name is not valid UTF-8"
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "the name is empty"
	}
	if len(name) > maxNameLen {
		return fmt.Sprintf("the name is longer than %d bytes", maxNameLen)
	}
	for _, r := range name {
		if unicode.Is(unicode.Mn, r) {
			// Vietnamese letters all have precomposed forms: a combining
			// mark means decomposed (NFD) text, which would not compare
			// equal to the same name typed elsewhere.
			return "the name has combining marks: save it in NFC (precomposed) form"
		}
		if unicode.IsControl(r) {
			return "the name has control characters"
		}
	}
	return ""
}
