// Package epcis is the province's GS1 EPCIS 2.0 repository for the
// traceability of farm products: identifiers (EPC URNs, GS1 Digital Link
// URIs and the provincial scheme for producers without a GS1 company
// prefix), validation of EPCIS documents and events, the CBV 2.0 event hash
// ID, storage of captured events and the SimpleEventQuery.
//
// Events are kept as the JSON they came in (plus the recordTime the server
// sets), so a query returns exactly what was captured, with indexed columns
// beside them for the queries.
package epcis
