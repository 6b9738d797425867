package dossier

import (
	"bytes"
	"testing"
	"time"
)

func TestAmountInWords(t *testing.T) {
	for n, want := range map[int64]string{
		0: "Không đồng", 5: "Năm đồng", 10: "Mười đồng", 15: "Mười lăm đồng", 21: "Hai mươi mốt đồng", 24: "Hai mươi tư đồng",
		105: "Một trăm linh năm đồng", 1000: "Một nghìn đồng", 2000: "Hai nghìn đồng", 8000: "Tám nghìn đồng",
		10000: "Mười nghìn đồng", 15500: "Mười lăm nghìn năm trăm đồng", 200000: "Hai trăm nghìn đồng",
		1005000: "Một triệu không trăm linh năm nghìn đồng", 1205000: "Một triệu hai trăm linh năm nghìn đồng",
		2000000000: "Hai tỷ đồng", 1000001: "Một triệu không trăm linh một đồng", -8000: "Âm tám nghìn đồng",
	} {
		if got := amountInWords(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}

func TestPaymentReceiptOnePage(t *testing.T) {
	var buf bytes.Buffer
	r := PaymentReceiptData{ParentName: "THÀNH PHỐ CẦN THƠ", AgencyName: "UBND XÃ AN THẠNH", TaxCode: "2200123456",
		Template: "01BLP0-001", Series: "AT-26E", Number: "0000123", PayerName: "Nguyễn Thị Lan", DossierCode: "X-261102-0001",
		ProcedureName: "Thủ tục chứng thực bản sao", ProcedureCode: "2.000815", Amount: 200000, Ref: "abc", Provider: "devpay",
		Txn: "T-1", PaidAt: time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC), Place: "An Thạnh"}
	if err := WritePaymentReceiptPDF(&buf, r); err != nil {
		t.Fatal(err)
	}
	if pages(buf.Bytes()) != 1 {
		t.Errorf("%d pages", pages(buf.Bytes()))
	}
	wantText(t, pdfText(t, buf.Bytes()), "Số: 0000123", "Ký hiệu mẫu: 01BLP0-001 Ký hiệu: AT-26E", "Mã số thuế: 2200123456",
		"Số tiền: 200.000 đồng", "giải quyết thủ tục chứng thực bản sao (mã thủ tục 2.000815)", "Viết bằng chữ: Hai trăm nghìn đồng", "NGƯỜI NỘP TIỀN", "ĐƠN VỊ THU PHÍ, LỆ PHÍ")
}
