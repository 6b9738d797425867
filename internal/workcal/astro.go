package workcal

import "math"

// Astronomy for the lunar calendar, from Jean Meeus, "Astronomical
// Algorithms" (2nd ed., 1998):
//
//   - new moons: chapter 49 (mean lunation plus the periodic and planetary
//     corrections), accurate to well under a minute;
//   - the Sun's apparent longitude: chapter 25, "higher accuracy": the
//     Earth's heliocentric longitude from the truncated VSOP87 series of
//     Appendix III, corrected to FK5, for nutation (chapter 22, the short
//     series) and aberration; about 1″, i.e. under half a minute of time;
//   - ΔT = TT − UT: the polynomial fits of Espenak and Meeus (NASA, Five
//     Millennium Canon of Solar Eclipses, 2006).
//
// Times are Julian days (JD in UT, JDE in Terrestrial Time).

const (
	deg2rad = math.Pi / 180
	j2000   = 2451545.0
	// rdToJDN converts a Date (Rata Die) to the Julian day number of its noon.
	rdToJDN = 1721425
	// ictDays is UTC+7 as a fraction of a day.
	ictDays = 7.0 / 24
)

// jdLocalMidnight returns the JD (UT) of 00:00 UTC+7 on d.
func jdLocalMidnight(d Date) float64 {
	return float64(int64(d)+rdToJDN) - 0.5 - ictDays
}

// localDateOfJD returns the UTC+7 date of the instant jd (UT).
func localDateOfJD(jd float64) Date {
	return Date(int64(math.Floor(jd+0.5+ictDays)) - rdToJDN)
}

// deltaT returns TT − UT in seconds at the decimal year y.
func deltaT(y float64) float64 {
	switch {
	case y < -500:
		u := (y - 1820) / 100
		return -20 + 32*u*u
	case y < 500:
		u := y / 100
		return poly(u, 10583.6, -1014.41, 33.78311, -5.952053, -0.1798452, 0.022174192, 0.0090316521)
	case y < 1600:
		u := (y - 1000) / 100
		return poly(u, 1574.2, -556.01, 71.23472, 0.319781, -0.8503463, -0.005050998, 0.0083572073)
	case y < 1700:
		t := y - 1600
		return poly(t, 120, -0.9808, -0.01532, 1.0/7129)
	case y < 1800:
		t := y - 1700
		return poly(t, 8.83, 0.1603, -0.0059285, 0.00013336, -1.0/1174000)
	case y < 1860:
		t := y - 1800
		return poly(t, 13.72, -0.332447, 0.0068612, 0.0041116, -0.00037436, 0.0000121272, -0.0000001699, 0.000000000875)
	case y < 1900:
		t := y - 1860
		return poly(t, 7.62, 0.5737, -0.251754, 0.01680668, -0.0004473624, 1.0/233174)
	case y < 1920:
		t := y - 1900
		return poly(t, -2.79, 1.494119, -0.0598939, 0.0061966, -0.000197)
	case y < 1941:
		t := y - 1920
		return poly(t, 21.20, 0.84493, -0.076100, 0.0020936)
	case y < 1961:
		t := y - 1950
		return poly(t, 29.07, 0.407, -1.0/233, 1.0/2547)
	case y < 1986:
		t := y - 1975
		return poly(t, 45.45, 1.067, -1.0/260, -1.0/718)
	case y < 2005:
		t := y - 2000
		return poly(t, 63.86, 0.3345, -0.060374, 0.0017275, 0.000651814, 0.00002373599)
	case y < 2050:
		t := y - 2000
		return poly(t, 62.92, 0.32217, 0.005589)
	case y < 2150:
		u := (y - 1820) / 100
		return -20 + 32*u*u - 0.5628*(2150-y)
	}
	u := (y - 1820) / 100
	return -20 + 32*u*u
}

// poly evaluates c[0] + c[1]x + c[2]x² + ... by Horner's rule.
func poly(x float64, c ...float64) float64 {
	r := 0.0
	for i := len(c) - 1; i >= 0; i-- {
		r = r*x + c[i]
	}
	return r
}

func decimalYear(jd float64) float64 { return 2000 + (jd-j2000)/365.25 }

// ttFromUT converts a JD in UT to a JDE.
func ttFromUT(jd float64) float64 { return jd + deltaT(decimalYear(jd))/86400 }

// utFromTT converts a JDE to a JD in UT (ΔT changes slowly enough that
// evaluating it at the JDE is exact to well under a second).
func utFromTT(jde float64) float64 { return jde - deltaT(decimalYear(jde))/86400 }

func sinDeg(x float64) float64 { return math.Sin(x * deg2rad) }

// newMoonJDE returns the JDE of new moon number k (k = 0 is the new moon of
// 2000-01-06; Meeus chapter 49).
func newMoonJDE(k int) float64 {
	kf := float64(k)
	t := kf / 1236.85
	t2, t3, t4 := t*t, t*t*t, t*t*t*t
	jde := 2451550.09766 + 29.530588861*kf + 0.00015437*t2 - 0.000000150*t3 + 0.00000000073*t4
	e := 1 - 0.002516*t - 0.0000074*t2
	m := 2.5534 + 29.10535670*kf - 0.0000014*t2 - 0.00000011*t3                      // Sun's mean anomaly
	mp := 201.5643 + 385.81693528*kf + 0.0107582*t2 + 0.00001238*t3 - 0.000000058*t4 // Moon's mean anomaly
	f := 160.7108 + 390.67050284*kf - 0.0016118*t2 - 0.00000227*t3 + 0.000000011*t4  // Moon's argument of latitude
	om := 124.7746 - 1.56375588*kf + 0.0020672*t2 + 0.00000215*t3                    // longitude of the ascending node
	jde += -0.40720*sinDeg(mp) +
		0.17241*e*sinDeg(m) +
		0.01608*sinDeg(2*mp) +
		0.01039*sinDeg(2*f) +
		0.00739*e*sinDeg(mp-m) -
		0.00514*e*sinDeg(mp+m) +
		0.00208*e*e*sinDeg(2*m) -
		0.00111*sinDeg(mp-2*f) -
		0.00057*sinDeg(mp+2*f) +
		0.00056*e*sinDeg(2*mp+m) -
		0.00042*sinDeg(3*mp) +
		0.00042*e*sinDeg(m+2*f) +
		0.00038*e*sinDeg(m-2*f) -
		0.00024*e*sinDeg(2*mp-m) -
		0.00017*sinDeg(om) -
		0.00007*sinDeg(mp+2*m) +
		0.00004*sinDeg(2*mp-2*f) +
		0.00004*sinDeg(3*m) +
		0.00003*sinDeg(mp+m-2*f) +
		0.00003*sinDeg(2*mp+2*f) -
		0.00003*sinDeg(mp+m+2*f) +
		0.00003*sinDeg(mp-m+2*f) -
		0.00002*sinDeg(mp-m-2*f) -
		0.00002*sinDeg(3*mp+m) +
		0.00002*sinDeg(4*mp)
	// Planetary arguments A1..A14.
	jde += 0.000325*sinDeg(299.77+0.107408*kf-0.009173*t2) +
		0.000165*sinDeg(251.88+0.016321*kf) +
		0.000164*sinDeg(251.83+26.651886*kf) +
		0.000126*sinDeg(349.42+36.412478*kf) +
		0.000110*sinDeg(84.66+18.206239*kf) +
		0.000062*sinDeg(141.74+53.303771*kf) +
		0.000060*sinDeg(207.14+2.453732*kf) +
		0.000056*sinDeg(154.84+7.306860*kf) +
		0.000047*sinDeg(34.52+27.261239*kf) +
		0.000042*sinDeg(207.19+0.121824*kf) +
		0.000040*sinDeg(291.34+1.844379*kf) +
		0.000037*sinDeg(161.72+24.198154*kf) +
		0.000035*sinDeg(239.56+25.513099*kf) +
		0.000023*sinDeg(331.55+3.592518*kf)
	return jde
}

// newMoonDate returns the UTC+7 date of new moon k: the first day of a
// lunar month.
func newMoonDate(k int) Date { return localDateOfJD(utFromTT(newMoonJDE(k))) }

// meanLunation and the epoch of k = 0, to estimate k for a date.
const (
	meanLunation = 29.530588861
	newMoonEpoch = 2451550.09766
)

// vsopTerm is A·cos(B + C·τ), τ in Julian millennia from J2000.
type vsopTerm struct{ a, b, c float64 }

// Earth's heliocentric longitude, VSOP87 truncated (Meeus, Appendix III),
// in units of 1e-8 radian.
var earthL = [6][]vsopTerm{
	{
		{175347046, 0, 0}, {3341656, 4.6692568, 6283.07585}, {34894, 4.6261, 12566.1517},
		{3497, 2.7441, 5753.3849}, {3418, 2.8289, 3.5231}, {3136, 3.6277, 77713.7715},
		{2676, 4.4181, 7860.4194}, {2343, 6.1352, 3930.2097}, {1324, 0.7425, 11506.7698},
		{1273, 2.0371, 529.691}, {1199, 1.1096, 1577.3435}, {990, 5.233, 5884.927},
		{902, 2.045, 26.298}, {857, 3.508, 398.149}, {780, 1.179, 5223.694},
		{753, 2.533, 5507.553}, {505, 4.583, 18849.228}, {492, 4.205, 775.523},
		{357, 2.92, 0.067}, {317, 5.849, 11790.629}, {284, 1.899, 796.298},
		{271, 0.315, 10977.079}, {243, 0.345, 5486.778}, {206, 4.806, 2544.314},
		{205, 1.869, 5573.143}, {202, 2.458, 6069.777}, {156, 0.833, 213.299},
		{132, 3.411, 2942.463}, {126, 1.083, 20.775}, {115, 0.645, 0.98},
		{103, 0.636, 4694.003}, {102, 0.976, 15720.839}, {102, 4.267, 7.114},
		{99, 6.21, 2146.17}, {98, 0.68, 155.42}, {86, 5.98, 161000.69},
		{85, 1.3, 6275.96}, {85, 3.67, 71430.7}, {80, 1.81, 17260.15},
		{79, 3.04, 12036.46}, {75, 1.76, 5088.63}, {74, 3.5, 3154.69},
		{74, 4.68, 801.82}, {70, 0.83, 9437.76}, {62, 3.98, 8827.39},
		{61, 1.82, 7084.9}, {57, 2.78, 6286.6}, {56, 4.39, 14143.5},
		{56, 3.47, 6279.55}, {52, 0.19, 12139.55}, {52, 1.33, 1748.02},
		{51, 0.28, 5856.48}, {49, 0.49, 1194.45}, {41, 5.37, 8429.24},
		{41, 2.4, 19651.05}, {39, 6.17, 10447.39}, {37, 6.04, 10213.29},
		{37, 2.57, 1059.38}, {36, 1.71, 2352.87}, {36, 1.78, 6812.77},
		{33, 0.59, 17789.85}, {30, 0.44, 83996.85}, {30, 2.74, 1349.87},
		{25, 3.16, 4690.48},
	},
	{
		{628331966747, 0, 0}, {206059, 2.678235, 6283.07585}, {4303, 2.6351, 12566.1517},
		{425, 1.59, 3.523}, {119, 5.796, 26.298}, {109, 2.966, 1577.344},
		{93, 2.59, 18849.23}, {72, 1.14, 529.69}, {68, 1.87, 398.15},
		{67, 4.41, 5507.55}, {59, 2.89, 5223.69}, {56, 2.17, 155.42},
		{45, 0.4, 796.3}, {36, 0.47, 775.52}, {29, 2.65, 7.11},
		{21, 5.34, 0.98}, {19, 1.85, 5486.78}, {19, 4.97, 213.3},
		{17, 2.99, 6275.96}, {16, 0.03, 2544.31}, {16, 1.43, 2146.17},
		{15, 1.21, 10977.08}, {12, 2.83, 1748.02}, {12, 3.26, 5088.63},
		{12, 5.27, 1194.45}, {12, 2.08, 4694}, {11, 0.77, 553.57},
		{10, 1.3, 6286.6}, {10, 4.24, 1349.87}, {9, 2.7, 242.73},
		{9, 5.64, 951.72}, {8, 5.3, 2352.87}, {6, 2.65, 9437.76},
		{6, 4.67, 4690.48},
	},
	{
		{52919, 0, 0}, {8720, 1.0721, 6283.0758}, {309, 0.867, 12566.152},
		{27, 0.05, 3.52}, {16, 5.19, 26.3}, {16, 3.68, 155.42},
		{10, 0.76, 18849.23}, {9, 2.06, 77713.77}, {7, 0.83, 775.52},
		{5, 4.66, 1577.34}, {4, 1.03, 7.11}, {4, 3.44, 5573.14},
		{3, 5.14, 796.3}, {3, 6.05, 5507.55}, {3, 1.19, 242.73},
		{3, 6.12, 529.69}, {3, 0.31, 398.15}, {3, 2.28, 553.57},
		{2, 4.38, 5223.69}, {2, 3.75, 0.98},
	},
	{
		{289, 5.844, 6283.076}, {35, 0, 0}, {17, 5.49, 12566.15},
		{3, 5.2, 155.42}, {1, 4.72, 3.52}, {1, 5.3, 18849.23},
		{1, 5.97, 242.73},
	},
	{{114, 3.142, 0}, {8, 4.13, 6283.08}, {1, 3.84, 12566.15}},
	{{1, 3.14, 0}},
}

// Earth's radius vector (AU, units of 1e-8), only its largest terms: it
// enters through the aberration, −20.4898″/R, where 1e-5 AU is 0.0002″.
var earthR = [3][]vsopTerm{
	{
		{100013989, 0, 0}, {1670700, 3.0984635, 6283.07585}, {13956, 3.05525, 12566.1517},
		{3084, 5.1985, 77713.7715}, {1628, 1.1739, 5753.3849}, {1576, 2.8469, 7860.4194},
		{925, 5.453, 11506.77}, {542, 4.564, 3930.21}, {472, 3.661, 5884.927},
	},
	{{103019, 1.10749, 6283.07585}, {1721, 1.0644, 12566.1517}, {702, 3.142, 0}},
	{{4359, 5.7846, 6283.0758}, {124, 5.579, 12566.152}},
}

func vsopSum(terms []vsopTerm, tau float64) float64 {
	s := 0.0
	for _, t := range terms {
		s += t.a * math.Cos(t.b+t.c*tau)
	}
	return s
}

// sunApparentLongitude returns the Sun's apparent geocentric longitude in
// degrees [0, 360) at the JDE jde (Meeus chapter 25, higher accuracy).
func sunApparentLongitude(jde float64) float64 {
	tau := (jde - j2000) / 365250
	l := 0.0
	for i := len(earthL) - 1; i >= 0; i-- {
		l = l*tau + vsopSum(earthL[i], tau)
	}
	r := 0.0
	for i := len(earthR) - 1; i >= 0; i-- {
		r = r*tau + vsopSum(earthR[i], tau)
	}
	l /= 1e8                 // radians
	r /= 1e8                 // AU
	theta := l/deg2rad + 180 // geocentric, dynamical equinox of date (VSOP87D)
	theta -= 0.09033 / 3600  // to the FK5 system

	// Nutation in longitude (Meeus chapter 22, to 0.5″).
	t := tau * 10
	omega := 125.04452 - 1934.136261*t
	ls := 280.4665 + 36000.7698*t
	lm := 218.3165 + 481267.8813*t
	dpsi := -17.20*sinDeg(omega) - 1.32*sinDeg(2*ls) - 0.23*sinDeg(2*lm) + 0.21*sinDeg(2*omega)

	lambda := theta + dpsi/3600 - 20.4898/3600/r
	lambda = math.Mod(lambda, 360)
	if lambda < 0 {
		lambda += 360
	}
	return lambda
}

// sunLongitudeAtLocalMidnight is the Sun's apparent longitude at 00:00
// UTC+7 on d.
func sunLongitudeAtLocalMidnight(d Date) float64 {
	return sunApparentLongitude(ttFromUT(jdLocalMidnight(d)))
}

// solarTermJDE returns the JDE at which the Sun's apparent longitude
// reaches lon degrees, starting from the estimate jde0 (within a few weeks).
// Meeus chapter 27: correct by 58·sin(lon − λ) days until it converges.
func solarTermJDE(lon, jde0 float64) float64 {
	jde := jde0
	for range 50 {
		c := 58 * sinDeg(lon-sunApparentLongitude(jde))
		jde += c
		if math.Abs(c) < 1e-7 {
			break
		}
	}
	return jde
}

// winterSolsticeDate returns the UTC+7 date of the December solstice (the
// Sun at 270°) of Gregorian year y.
func winterSolsticeDate(y int) Date {
	est := float64(int64(NewDate(y, 12, 21)) + rdToJDN)
	return localDateOfJD(utFromTT(solarTermJDE(270, est)))
}
