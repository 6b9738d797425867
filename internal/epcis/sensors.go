package epcis

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"egov/internal/store"
)

// sensorText are the text columns of epcis_sensor_reports with the report
// (or metadata) property each comes from; the EQ_ parameter has its name.
var sensorText = []struct{ param, column string }{
	{"type", "type"}, {"deviceID", "device_id"}, {"dataProcessingMethod", "data_processing_method"},
	{"bizRules", "biz_rules"}, {"microorganism", "microorganism"}, {"chemicalSubstance", "chemical_substance"},
	{"stringValue", "string_value"}, {"booleanValue", "boolean_value"}, {"hexBinaryValue", "hex_binary_value"},
	{"uriValue", "uri_value"},
}

// sensorNumbers are the numeric columns, queried per unit
// ({GE,GT,LE,LT,EQ}_{param}_{uom}); percRank has no unit.
var sensorNumbers = []struct{ param, column string }{
	{"value", "value"}, {"minValue", "min_value"}, {"maxValue", "max_value"}, {"meanValue", "mean_value"},
	{"sDev", "sdev"}, {"percValue", "perc_value"}, {"percRank", "perc_rank"},
}

// sensorTimes are the time parameters: GE_/LT_ on the report's time (or
// its element's metadata time) and the metadata's start and end.
var sensorTimes = map[string]string{"time": "time", "startTime": "start_time", "endTime": "end_time"}

// sensorRow is one report's values in column order: the text columns, the
// numbers, the uom and the three times.
type sensorRow struct {
	text  map[string]string
	nums  map[string]*float64
	uom   string
	times map[string]string
}

// sensorRows reads the reports of a validated event.
func sensorRows(ev *Event) []sensorRow {
	list, _ := ev.Body["sensorElementList"].([]any)
	var out []sensorRow
	for _, e := range list {
		el, _ := e.(map[string]any)
		md, _ := el["sensorMetadata"].(map[string]any)
		reports, _ := el["sensorReport"].([]any)
		for _, r := range reports {
			rep, _ := r.(map[string]any)
			row := sensorRow{text: map[string]string{}, nums: map[string]*float64{}, times: map[string]string{}}
			for _, c := range sensorText {
				v, ok := rep[c.param]
				if !ok && md != nil {
					v, ok = md[c.param]
				}
				switch x := v.(type) {
				case string:
					row.text[c.column] = x
				case bool:
					row.text[c.column] = strconv.FormatBool(x)
				}
			}
			for _, c := range sensorNumbers {
				if n, ok := rep[c.param].(json.Number); ok {
					if f, err := n.Float64(); err == nil {
						row.nums[c.column] = &f
					}
				}
			}
			row.uom, _ = rep["uom"].(string)
			for param, column := range sensorTimes {
				v, ok := rep[param].(string)
				if !ok && md != nil {
					v, ok = md[param].(string)
				}
				if t, err := ParseTime(v); ok && err == nil {
					row.times[column] = store.FormatTime(t)
				}
			}
			out = append(out, row)
		}
	}
	return out
}

var sensorColumns = func() []string {
	var cols []string
	for _, c := range sensorText {
		cols = append(cols, c.column)
	}
	for _, c := range sensorNumbers {
		cols = append(cols, c.column)
	}
	return append(cols, "uom", "time", "start_time", "end_time")
}()

var sensorInserts = multiInsert("INSERT INTO epcis_sensor_reports (event, "+strings.Join(sensorColumns, ", ")+") VALUES ",
	"("+placeholders(len(sensorColumns)+1)+")")

func (r sensorRow) values(event int64) []any {
	out := []any{event}
	for _, c := range sensorText {
		out = append(out, r.text[c.column])
	}
	for _, c := range sensorNumbers {
		if n := r.nums[c.column]; n != nil {
			out = append(out, *n)
		} else {
			out = append(out, nil)
		}
	}
	return append(out, r.uom, r.times["time"], r.times["start_time"], r.times["end_time"])
}

var sensorUOM = regexp.MustCompile(`^[A-Z0-9]{2,4}$`)

// sensorParam reads the sensor query parameters; ok is false when name is
// none of them. EQ_type takes a bare GS1 word or a URI.
func sensorParam(q *Query, name, val string) (ok bool, err error) {
	op, rest, found := strings.Cut(name, "_")
	if !found {
		return false, nil
	}
	cond, args := "", []any{}
	if op == "EQ" {
		for _, c := range sensorText {
			if rest != c.param {
				continue
			}
			alts, err := alternatives(name, val)
			if err != nil {
				return true, err
			}
			cond = c.column + " IN (" + placeholders(len(alts)) + ")"
			for _, a := range alts {
				args = append(args, a)
			}
		}
	}
	if column, isTime := sensorTimes[rest]; isTime && (op == "GE" || op == "LT") {
		t, err := ParseTime(val)
		if err != nil {
			return true, queryError("%s: %v", name, err)
		}
		cond, args = column+" <> '' AND "+column+" "+quantityOps[op]+" ?", []any{store.FormatTime(t)}
	}
	for _, c := range sensorNumbers {
		param, uom, _ := strings.Cut(rest, "_")
		if param != c.param || quantityOps[op] == "" || (uom == "") != (c.param == "percRank") {
			continue
		}
		if uom != "" && !sensorUOM.MatchString(uom) {
			return true, queryError("%s: %q is not a unit code", name, uom)
		}
		n, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return true, queryError("%s: %q is not a number", name, val)
		}
		cond, args = c.column+" "+quantityOps[op]+" ?", []any{n}
		if uom != "" {
			cond += " AND uom = ?"
			args = append(args, uom)
		}
	}
	if cond == "" {
		return false, nil
	}
	q.where = append(q.where, "id IN (SELECT event FROM epcis_sensor_reports WHERE "+cond+")")
	q.args = append(q.args, args...)
	return true, nil
}
