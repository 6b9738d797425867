package dossier

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"strings"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/store"
)

// PaymentReceiptData is the receipt of a fee paid online (biên lai thu
// phí, lệ phí), with the content Decree 123/2020 (art. 32) asks of an
// e-receipt as far as egov knows it: the collecting unit, the payer, the
// kind of fee, the amount in figures and in words, when and how it was
// paid. The receipt's template symbol, series and number (ký hiệu mẫu, ký
// hiệu, số) are registered by each collecting unit with the tax office:
// printed when given, else left out, and the payment's reference stands
// in as the number.
type PaymentReceiptData struct {
	ParentName string // cơ quan chủ quản
	AgencyName string // the unit collecting, e.g. "UBND XÃ AN THẠNH"
	TaxCode    string // mã số thuế of the unit (optional)
	Template   string // ký hiệu mẫu biên lai (optional)
	Series     string // ký hiệu biên lai (optional)
	Number     string // số biên lai (optional)

	PayerName    string
	PayerAddress string // optional

	DossierCode   string
	ProcedureName string
	ProcedureCode string

	Amount   int64 // đồng
	Ref      string
	Provider string // the payment provider
	Txn      string // the provider's transaction
	PaidAt   time.Time
	Place    string
}

// WritePaymentReceiptPDF writes the fee receipt on A5.
func WritePaymentReceiptPDF(w io.Writer, r PaymentReceiptData) error {
	printables(&r.ParentName, &r.AgencyName, &r.TaxCode, &r.Template, &r.Series, &r.Number, &r.PayerName, &r.PayerAddress,
		&r.DossierCode, &r.ProcedureName, &r.ProcedureCode, &r.Ref, &r.Provider, &r.Txn, &r.Place)
	info := docInfo{Title: "Biên lai thu phí, lệ phí " + r.Ref, Subject: "Biên lai điện tử, Nghị định 123/2020/NĐ-CP",
		Author: r.AgencyName, Code: r.DossierCode, At: r.PaidAt}
	number := "Số: " + orDots(r.Number)
	if r.Number == "" {
		number = ""
	}
	return writeForm(w, info, func(p *printer) {
		p.header(heading{Parent: r.ParentName, Agency: r.AgencyName, Number: number,
			DateLine: dateLine(r.Place, 0, r.PaidAt), Title: "BIÊN LAI THU PHÍ, LỆ PHÍ", Subtitle: "(Biên lai điện tử)"})
		if r.Template != "" || r.Series != "" {
			p.line(reg("Ký hiệu mẫu: " + orDots(r.Template) + "   Ký hiệu: " + orDots(r.Series)))
		}
		p.line(reg("Đơn vị thu phí, lệ phí: "), bold(orDots(r.AgencyName)))
		if r.TaxCode != "" {
			p.line(reg("Mã số thuế: " + r.TaxCode))
		}
		p.gap(1)
		p.line(reg("Tên người nộp: "), bold(orDots(r.PayerName)))
		if r.PayerAddress != "" {
			p.line(reg("Địa chỉ: " + r.PayerAddress))
		}
		// "Thủ tục cấp …" reads "phí, lệ phí giải quyết thủ tục cấp …".
		name := r.ProcedureName
		if strings.HasPrefix(name, "Thủ tục ") {
			name = lowerFirst(name)
		} else if name != "" {
			name = "thủ tục " + name
		}
		fee := []span{reg("Tên loại phí, lệ phí: phí, lệ phí giải quyết "), bold(orDots(name))}
		if r.ProcedureCode != "" {
			fee = append(fee, reg(" (mã thủ tục "+r.ProcedureCode+")"))
		}
		p.line(fee...)
		p.line(reg("Mã hồ sơ: " + orDots(r.DossierCode)))
		p.line(reg("Số tiền: "), bold(money(r.Amount)+" đồng"))
		p.line(reg("Viết bằng chữ: "), bold(amountInWords(r.Amount)))
		p.line(reg("Hình thức thanh toán: trực tuyến, qua " + orDots(r.Provider)))
		p.line(reg("Mã giao dịch: " + orDots(r.Txn)))
		p.line(reg("Mã thanh toán: " + orDots(r.Ref)))
		p.line(reg("Thời gian thanh toán: " + vnTime(r.PaidAt)))
		p.signatures([]signBlock{{Title: "NGƯỜI NỘP TIỀN", Name: r.PayerName},
			{Title: "ĐƠN VỊ THU PHÍ, LỆ PHÍ", Hint: "(Chữ ký số)"}},
			"Biên lai điện tử lập khi cổng thanh toán báo giao dịch thành công; in lại biên lai cho cùng nội dung.")
	})
}

// Vietnamese number words.
var (
	digitWords = []string{"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}
	scaleWords = []string{"", " nghìn", " triệu", " tỷ", " nghìn tỷ", " triệu tỷ", " tỷ tỷ"}
)

// amountInWords writes an amount of đồng in Vietnamese words, as a receipt
// spells it: 8000 is "Tám nghìn đồng", 1205000 "Một triệu hai trăm linh
// năm nghìn đồng".
func amountInWords(v int64) string {
	if v == 0 {
		return "Không đồng"
	}
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	var groups []int // of three digits, least significant first
	for ; u > 0; u /= 1000 {
		groups = append(groups, int(u%1000))
	}
	var parts []string
	for i := len(groups) - 1; i >= 0; i-- {
		g := groups[i]
		if g == 0 {
			continue
		}
		// A group after a higher one says its zero hundreds and tens.
		parts = append(parts, threeDigits(g, i < len(groups)-1)+scaleWords[i])
	}
	s := strings.Join(parts, " ") + " đồng"
	if neg {
		s = "âm " + s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// threeDigits writes 0 < n < 1000; full says the hundreds even when zero.
func threeDigits(n int, full bool) string {
	h, t, u := n/100, n/10%10, n%10
	var w []string
	if h > 0 || full {
		w = append(w, digitWords[h]+" trăm")
	}
	switch {
	case t == 0 && u == 0:
	case t == 0:
		if h > 0 || full {
			w = append(w, "linh")
		}
		w = append(w, digitWords[u])
	case t == 1:
		w = append(w, "mười")
		switch u {
		case 0:
		case 5:
			w = append(w, "lăm")
		default:
			w = append(w, digitWords[u])
		}
	default:
		w = append(w, digitWords[t]+" mươi")
		switch u {
		case 0:
		case 1:
			w = append(w, "mốt")
		case 4:
			w = append(w, "tư")
		case 5:
			w = append(w, "lăm")
		default:
			w = append(w, digitWords[u])
		}
	}
	return strings.Join(w, " ")
}

// PaymentReceiptPDF prints the receipt of the paid payment with this
// reference, for its payer (the dossier's applicant) and for officers who
// may read the unit's payments or dossiers; their printing is audited.
// Anyone else learns nothing; a payment not paid has no receipt.
func (s *Dossiers) PaymentReceiptPDF(ctx context.Context, a *identity.Actor, ref string) ([]byte, string, error) {
	if a == nil || a.User == nil {
		return nil, "", egov.Errorf(egov.EUNAUTHORIZED, "error.unauthorized")
	}
	ref = strings.ToLower(strings.TrimSpace(ref))
	if ref == "" || len(ref) > 64 {
		return nil, "", egov.Errorf(egov.ENOTFOUND, "payment.not_found")
	}
	p, err := scanPayment(s.db.QueryRowContext(ctx, `SELECT `+paymentColumns+`
		FROM payments p JOIN dossiers d ON d.id = p.dossier_id WHERE p.ref = ?`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", egov.Errorf(egov.ENOTFOUND, "payment.not_found")
	}
	if err != nil {
		return nil, "", err
	}
	payer := p.ApplicantID != 0 && p.ApplicantID == a.User.ID
	if !payer && s.ids.Can(ctx, a, identity.PermPaymentsRead, p.UnitID) != nil &&
		s.ids.Can(ctx, a, identity.PermDossierRead, p.UnitID) != nil {
		return nil, "", egov.Errorf(egov.ENOTFOUND, "payment.not_found")
	}
	if p.Status != PaymentPaid {
		return nil, "", egov.Errorf(egov.ECONFLICT, "payment.not_paid")
	}
	d, err := s.load(ctx, s.db, p.DossierCode)
	if err != nil {
		return nil, "", err
	}
	base, err := s.formBase(ctx, d, nil)
	if err != nil {
		return nil, "", err
	}
	r := PaymentReceiptData{ParentName: base.ParentName, AgencyName: base.AgencyName, PayerName: p.ApplicantName,
		PayerAddress: base.ApplicantAddress, DossierCode: p.DossierCode, ProcedureName: base.ProcedureName,
		ProcedureCode: p.ProcedureCode, Amount: p.Amount, Ref: p.Ref, Provider: p.Provider, Txn: p.ProviderTxn,
		PaidAt: p.PaidAt, Place: base.Place}
	var buf bytes.Buffer
	if err := WritePaymentReceiptPDF(&buf, r); err != nil {
		return nil, "", err
	}
	if !payer {
		unit, err := s.unitCode(ctx, p.UnitID)
		if err != nil {
			return nil, "", err
		}
		err = s.db.InTx(ctx, func(tx *store.Tx) error {
			return audit.Append(ctx, tx, &audit.Entry{ActorID: a.ID(), ActorName: a.Name(), Action: "payment.receipt",
				ObjectType: "dossier", ObjectID: p.DossierCode, UnitCode: unit, Summary: "in biên lai " + p.Ref})
		})
		if err != nil {
			return nil, "", err
		}
	}
	return buf.Bytes(), "bien-lai-" + p.Ref + ".pdf", nil
}
