package dossier_test

import (
	"strings"
	"testing"

	"egov"
	"egov/internal/dossier"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

// pay pays d's fee online as citizen, with the provider's transaction txn
// (status paid or failed), and returns the payment's reference.
func (w *world) pay(citizen string, d *dossier.Dossier, txn string, status dossier.PaymentStatus) string {
	w.t.Helper()
	ref := w.startPayment(citizen, d)
	if _, err := w.app.Dossiers.ConfirmPayment(w.ctx, dossier.Notice{Ref: ref, Amount: d.Fee, Status: status, Txn: txn, At: w.clock}); err != nil {
		w.t.Fatal(err)
	}
	return ref
}

func TestPaymentReceipt(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.filed("congdan.1")
		pending := w.startPayment("congdan.1", d)
		if _, _, err := w.app.Dossiers.PaymentReceiptPDF(w.ctx, w.actor("congdan.1"), pending); errCode(err) != egov.ECONFLICT {
			t.Fatalf("a pending payment's receipt: %v", err)
		}
		d2 := w.filed("congdan.1")
		ref := w.pay("congdan.1", d2, "VNP-42", dossier.PaymentPaid)
		for _, who := range []string{"congdan.1", "ketoan.31615", "motcua.31615", "lanhdao.92"} {
			pdf, name, err := w.app.Dossiers.PaymentReceiptPDF(w.ctx, w.actor(who), strings.ToUpper(ref))
			if err != nil || name != "bien-lai-"+ref+".pdf" {
				t.Fatalf("%s: %q %v", who, name, err)
			}
			contains(t, "the receipt", dossier.PDFText(t, pdf), "BIÊN LAI THU PHÍ, LỆ PHÍ", "(Biên lai điện tử)",
				"Đơn vị thu phí, lệ phí: UBND XÃ AN THẠNH", "Tên người nộp: Nguyễn Thị Lan",
				"Tên loại phí, lệ phí: phí, lệ phí giải quyết thủ tục cấp Giấy xác nhận tình trạng hôn nhân (mã thủ tục 1.004873)",
				"Mã hồ sơ: "+d2.Code, "Số tiền: 8.000 đồng", "Viết bằng chữ: Tám nghìn đồng", "Mã giao dịch: VNP-42",
				"Mã thanh toán: "+ref, "Thời gian thanh toán: 09 giờ 00 phút, ngày 02 tháng 11 năm 2026", "An Thạnh, ngày 02 tháng 11 năm 2026")
		}
		for _, who := range []string{"congdan.2", "motcua.31507", "thongke.31615"} {
			if _, _, err := w.app.Dossiers.PaymentReceiptPDF(w.ctx, w.actor(who), ref); errCode(err) != egov.ENOTFOUND {
				t.Errorf("%s: %v", who, err)
			}
		}
		if _, _, err := w.app.Dossiers.PaymentReceiptPDF(w.ctx, w.actor("congdan.1"), "khongco"); errCode(err) != egov.ENOTFOUND {
			t.Errorf("unknown: %v", err)
		}
		// Officers' printing is audited, the payer's not.
		if k := w.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'payment.receipt' AND object_id = ?`, d2.Code); k != 3 {
			t.Errorf("%d audited receipts, want 3", k)
		}
	})
}

// The accountant reconciles the commune's payments, by status.
func TestAccountantReconciles(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		paid := w.filed("congdan.1")
		w.pay("congdan.1", paid, "T-1", dossier.PaymentPaid)
		failed := w.filed("congdan.2")
		w.pay("congdan.2", failed, "T-2", dossier.PaymentFailed)
		w.startPayment("congdan.1", w.filed("congdan.1"))
		day := workcal.LocalDate(w.clock)
		acc := w.actor("ketoan.31615")
		all, err := w.app.Dossiers.Payments(w.ctx, acc, "31615", day, day, "")
		if err != nil || len(all) != 3 {
			t.Fatalf("all: %d %v", len(all), err)
		}
		tot := dossier.TotalsOf(all)
		if tot.Count[dossier.PaymentPaid] != 1 || tot.Amount[dossier.PaymentPaid] != paid.Fee || tot.Count[dossier.PaymentPending] != 1 ||
			tot.Count[dossier.PaymentFailed] != 1 {
			t.Errorf("totals %+v", tot)
		}
		only, err := w.app.Dossiers.Payments(w.ctx, acc, "31615", day, day, dossier.PaymentPaid)
		if err != nil || len(only) != 1 || only[0].DossierCode != paid.Code || only[0].ApplicantName != "Nguyễn Thị Lan" ||
			only[0].ProcedureCode != "1.004873" {
			t.Fatalf("paid only: %+v %v", only, err)
		}
		if _, err := w.app.Dossiers.Payments(w.ctx, acc, "31615", day, day, "refunded"); errCode(err) != egov.EINVALID {
			t.Errorf("a bad status: %v", err)
		}
		// Another commune, and roles without payments.read, are refused.
		if _, err := w.app.Dossiers.Payments(w.ctx, acc, "31633", day, day, ""); errCode(err) != egov.EFORBIDDEN {
			t.Errorf("another commune: %v", err)
		}
		if _, err := w.app.Dossiers.Payments(w.ctx, w.actor("chuyenvien.31615"), "31615", day, day, ""); errCode(err) != egov.EFORBIDDEN {
			t.Errorf("a specialist: %v", err)
		}
		// The accountant sees payments, not dossiers.
		if _, err := w.app.Dossiers.Get(w.ctx, acc, paid.Code); errCode(err) != egov.ENOTFOUND {
			t.Errorf("the accountant reading the dossier: %v", err)
		}
		if err := w.app.Identity.Can(w.ctx, acc, identity.PermPersonalDataRead, paid.UnitID); err == nil {
			t.Error("the accountant reads personal data")
		}
	})
}
