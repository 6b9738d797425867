package reporting

// Data values as CSV, in DHIS2's dataValueSets CSV columns: a header row
// names them (in any order, any case): dataelement, period, orgunit, value
// are required; categoryoptioncombo and comment are read; the others DHIS2
// writes (attributeoptioncombo, storedby, lastupdated, followup) are
// ignored. A UTF-8 byte-order mark is allowed, as Excel writes one.
// Problems are named by line ("dòng 7"), as spreadsheet cells are.

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"egov"
	"egov/internal/identity"
)

// MaxCSVBytes bounds a CSV upload: MaxImportValues lines of about 150
// bytes.
const MaxCSVBytes = 4 << 20

var csvColumns = map[string]bool{"dataelement": true, "period": true, "orgunit": true, "categoryoptioncombo": true,
	"attributeoptioncombo": true, "value": true, "storedby": true, "lastupdated": true, "comment": true, "followup": true}

// parseValuesCSV reads a CSV of data values. A file that cannot be read as
// such is an error; problems of its lines are returned beside the values.
func parseValuesCSV(data []byte) ([]ValueIn, []Conflict, error) {
	if len(data) > MaxCSVBytes {
		return nil, nil, egov.Errorf(egov.ETOOLARGE, "stats.csv.too_large", MaxCSVBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, nil, egov.Errorf(egov.EINVALID, "stats.csv.not_text")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, nil, egov.Errorf(egov.EINVALID, "stats.csv.no_header")
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(h))
		if !csvColumns[h] {
			return nil, nil, egov.Errorf(egov.EINVALID, "stats.csv.unknown_column", clip(h))
		}
		if _, dup := col[h]; dup {
			return nil, nil, egov.Errorf(egov.EINVALID, "stats.csv.duplicate_column", h)
		}
		col[h] = i
	}
	for _, need := range []string{"dataelement", "period", "orgunit", "value"} {
		if _, ok := col[need]; !ok {
			return nil, nil, egov.Errorf(egov.EINVALID, "stats.csv.missing_column", need)
		}
	}
	var values []ValueIn
	var problems []Conflict
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ref := "dòng ?"
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				ref = "dòng " + strconv.Itoa(pe.StartLine)
			}
			problems = append(problems, Conflict{Object: ref, Key: "stats.csv.bad_line"})
			break // the reader cannot resynchronise reliably after a quote error
		}
		line, _ := r.FieldPos(0) // a record has at least one field
		ref := "dòng " + strconv.Itoa(line)
		if len(values)+len(problems) >= MaxImportValues {
			return nil, nil, egov.Errorf(egov.EINVALID, "stats.too_many_values", MaxImportValues)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if len(rec) != len(head) {
			problems = append(problems, Conflict{Object: ref, Key: "stats.csv.field_count", Args: []any{len(rec), len(head)}})
			continue
		}
		v := ValueIn{DataElement: get("dataelement"), CategoryOptionCombo: get("categoryoptioncombo"), Period: get("period"),
			OrgUnit: get("orgunit"), Value: get("value"), Ref: ref}
		if _, ok := col["comment"]; ok {
			c := cleanCell(get("comment"))
			v.Comment = &c
		}
		values = append(values, v)
	}
	return values, problems, nil
}

// ImportCSV imports data values from a CSV (see above) as Import does; the
// problems of its lines come first among the conflicts. Without
// importValid nothing is stored when any line or value is wrong.
func (s *Service) ImportCSV(ctx context.Context, a *identity.Actor, data []byte, dryRun, importValid bool) (*ImportSummary, error) {
	if a == nil {
		return nil, egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	if ids, all := a.Scope(identity.PermStatsEnter); !all && len(ids) == 0 {
		return nil, egov.Errorf(egov.EFORBIDDEN, "error.forbidden")
	}
	values, problems, err := parseValuesCSV(data)
	if err != nil {
		return nil, err
	}
	return s.importWithProblems(ctx, a, ValueSet{Values: values}, problems, dryRun, importValid)
}
