package dossier

// PDFText gives the external tests the reader of the forms' text.
var PDFText = pdfText
