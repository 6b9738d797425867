package dossier

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"egov"
)

// Catalogue is the exchange format of the procedure catalogue: the JSON
// document that import reads and export writes.
type Catalogue struct {
	Procedures []Procedure `json:"procedures"`
}

// MaxCatalogueBytes bounds an imported catalogue.
const MaxCatalogueBytes = 8 << 20

// CatalogueErrors lists every problem of a catalogue, each with the path of
// the value ("procedures[3].form.fields[2].type"). When an import returns
// it, nothing was applied.
type CatalogueErrors []Problem

// Unwrap makes a refused catalogue an EINVALID error for egov.ErrorCode.
func (es CatalogueErrors) Unwrap() error {
	return egov.Errorf(egov.EINVALID, "error.catalogue_invalid", len(es))
}

func (es CatalogueErrors) Error() string {
	var b strings.Builder
	for i, p := range es {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// ParseCatalogue reads and checks a catalogue document. Unknown fields are
// errors, so that a misspelt key is not silently dropped.
func ParseCatalogue(r io.Reader) ([]Procedure, error) {
	dec := json.NewDecoder(io.LimitReader(r, MaxCatalogueBytes+1))
	dec.DisallowUnknownFields()
	var c Catalogue
	if err := dec.Decode(&c); err != nil {
		return nil, CatalogueErrors{{Path: "(document)", Msg: jsonMsg(err)}}
	}
	if dec.More() {
		return nil, CatalogueErrors{{Path: "(document)", Msg: "there is more data after the catalogue"}}
	}
	if len(c.Procedures) == 0 {
		return nil, CatalogueErrors{{Path: "procedures", Msg: "the catalogue has no procedures"}}
	}
	var errs CatalogueErrors
	seen := map[string]int{}
	for i := range c.Procedures {
		p := &c.Procedures[i]
		for _, pr := range p.Check() {
			errs = append(errs, Problem{Path: fmt.Sprintf("procedures[%d].%s", i, pr.Path), Msg: pr.Msg})
		}
		if j, dup := seen[p.Code]; dup {
			errs = append(errs, Problem{Path: fmt.Sprintf("procedures[%d].code", i), Msg: fmt.Sprintf("%s is also procedures[%d]", p.Code, j)})
		}
		seen[p.Code] = i
		if len(errs) > 200 {
			break
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return c.Procedures, nil
}

// WriteCatalogue writes procedures as a catalogue document.
func WriteCatalogue(w io.Writer, ps []*Procedure) error {
	c := Catalogue{Procedures: make([]Procedure, 0, len(ps))}
	for _, p := range ps {
		c.Procedures = append(c.Procedures, *p)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(c)
}

func jsonMsg(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("JSON syntax error at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		return fmt.Sprintf("%s: expected %s, got %s", te.Field, te.Type, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the document ends too early (or is larger than 8 MiB)"
	}
	return err.Error()
}

// ParseCatalogueFile reads a catalogue in either exchange format: an XLSX
// workbook (a zip file) or a JSON document.
func ParseCatalogueFile(b []byte) ([]Procedure, error) {
	if len(b) >= 4 && string(b[:4]) == "PK\x03\x04" {
		return ParseCatalogueXLSX(bytes.NewReader(b))
	}
	return ParseCatalogue(bytes.NewReader(b))
}
