package pii

import (
	"reflect"
	"testing"
)

// TestAddressForms covers the street forms read from their context, the
// address blocks, the military addresses and the words that take a number
// but name no place.
func TestAddressForms(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		// A name and a number after an address context.
		{"He lives at Slovenčeva 51.", []string{"Slovenčeva 51"}},
		{"the bus drops you off at Pod Floriánem 1677", []string{"Pod Floriánem 1677"}},
		{"Please send it to Parmova 109, thanks", []string{"Parmova 109"}},
		{"I'll meet you at Holmatun 45", []string{"Holmatun 45"}},
		{"He lives on the north side of Joaquin Suarez 2906.", []string{"Joaquin Suarez 2906"}},
		{"Our office is at Árpád fejedelem útja 62", []string{"Árpád fejedelem útja 62"}},
		{"the bus drops you off at heiligengeistbrücke 77", []string{"heiligengeistbrücke 77"}},
		{"the bus drops you off at 74678 midtvollen 130 st.", []string{"74678 midtvollen 130"}},
		{"The restaurant is at 9816 214 Pavlou Drandaki", []string{"9816 214 Pavlou Drandaki"}},
		{"The address of Peerj is 9721 Dalmatinova 43 Apt. 678", []string{"9721 Dalmatinova 43 Apt. 678"}},
		{"What is your address? it is 05 Weblinger Gürtel 92 Apt. 584 HEILIGENBRUNN France",
			[]string{"05 Weblinger Gürtel 92 Apt. 584 HEILIGENBRUNN France"}},
		// The corner of two streets.
		{"stop at the corner of Nieuwe Baan 473 St. and Inna Loop St.", []string{"Nieuwe Baan 473 St. and Inna Loop St."}},
		{"my new address is the corner of Beiteveien 2 and Sieda Radial", []string{"Beiteveien 2 and Sieda Radial"}},
		{"it is the corner of Dalbraut 99 and Frederikke Coves", []string{"Dalbraut 99 and Frederikke Coves"}},
		// Address blocks: a label line, or unit, city and country lines.
		{"Billing address: Jan Novak\n    764 Fagradalsbraut 71 Apt. 762\n   Egilsstaðir",
			[]string{"764 Fagradalsbraut 71 Apt. 762\n   Egilsstaðir"}},
		{"kristin crnić\n\n98 árpád fejedelem útja 45.\n apt. 614\n pomáz\n\n tunisia 13222",
			[]string{"98 árpád fejedelem útja 45.\n apt. 614\n pomáz\n\n tunisia 13222"}},
		{"> Lina\n> 2224 Trenerys gate 232\n> Apt. 342\n> TRONDHEIM\n> Norway 64389",
			[]string{"2224 Trenerys gate 232\n> Apt. 342\n> TRONDHEIM\n> Norway 64389"}},
		{"* Anna\n* 4923 Parmova 109\n* Suite 380\n* Maribor\n* Slovenia 82709",
			[]string{"4923 Parmova 109\n* Suite 380\n* Maribor\n* Slovenia 82709"}},
		{"4596 Tylova 285\n Suite 578\n Ostrov nad Ohrí\n Czech Republic 56655",
			[]string{"4596 Tylova 285\n Suite 578\n Ostrov nad Ohrí\n Czech Republic 56655"}},
		{"Our offices are located at 6076 Piroska u. 97.\nPorto Alegre\n, RS\n Brazil 95828",
			[]string{"6076 Piroska u. 97.\nPorto Alegre\n, RS\n Brazil 95828"}},
		// European postcodes, units before the street, abbreviations.
		{"Rua Augusta 100, 1100-053 Lisboa", []string{"Rua Augusta 100, 1100-053 Lisboa"}},
		{"Kungsgatan 12, 111 43 Stockholm", []string{"Kungsgatan 12, 111 43 Stockholm"}},
		{"ul. Marszałkowska 10/12, 00-590 Warszawa", []string{"ul. Marszałkowska 10/12, 00-590 Warszawa"}},
		{"Mannerheimintie 12 B 5, 00100 Helsinki", []string{"Mannerheimintie 12 B 5, 00100 Helsinki"}},
		{"Karl-Marx-Allee 34, 10178 Berlin", []string{"Karl-Marx-Allee 34, 10178 Berlin"}},
		{"My new address: Hauptstr. 5, 80331 München", []string{"Hauptstr. 5, 80331 München"}},
		{"Flat 3, 12 High Street, London SW1A 1AA", []string{"Flat 3, 12 High Street, London SW1A 1AA"}},
		{"Unit 5/23 Smith St, Parramatta NSW 2150", []string{"Unit 5/23 Smith St, Parramatta NSW 2150"}},
		{"ship to 123 main st apt 4, springfield il 62704", []string{"123 main st apt 4, springfield il 62704"}},
		{"Hanne and ul. Więckowskiego Stefana 28", []string{"ul. Więckowskiego Stefana 28"}},
		{"51709 Spinatsch 94 Apt. 615 Moosleerau Switzerland", []string{"51709 Spinatsch 94 Apt. 615 Moosleerau Switzerland"}},
		{"12521 Belgrád rkp. 18. Apt. 417 Csipkerek", []string{"12521 Belgrád rkp. 18. Apt. 417 Csipkerek"}},
		{"Michael\n\n11 Školní 939\n Apt. 827\n Kaplice 1\n\n Iceland 80392",
			[]string{"11 Školní 939\n Apt. 827\n Kaplice 1\n\n Iceland 80392"}},
		{"3565 Πλατεία Συντάγματος 204\n Suite 279\n ΑΣΚΕΙΑ (ΑΣΣΕΙΑ)\n Cyprus (Greek) 13429",
			[]string{"3565 Πλατεία Συντάγματος 204\n Suite 279\n ΑΣΚΕΙΑ (ΑΣΣΕΙΑ)\n Cyprus (Greek) 13429"}},
		{"2046 50 Point Walter Road Apt. 162, Chomutice u Horic v Podkrkonoší, Czech Republic 33156?",
			[]string{"2046 50 Point Walter Road Apt. 162, Chomutice u Horic v Podkrkonoší, Czech Republic 33156"}},
		{"address:\n947 trg revolucije 17 apt. 858 begunje na gorenjskem slovenia.",
			[]string{"947 trg revolucije 17 apt. 858 begunje na gorenjskem slovenia"}},
		// Chat in lower case.
		{"123 main st\nspringfield, il 62704", []string{"123 main st\nspringfield, il 62704"}},
		{"ship it to 10 downing st, london sw1a 2aa", []string{"10 downing st, london sw1a 2aa"}},
		{"deliver to flat 2, 14 baker street, london", []string{"flat 2, 14 baker street"}},
		// US military addresses.
		{"Our offices are located at USNS Møller\nFPO AA 85844", []string{"USNS Møller\nFPO AA 85844"}},
		{"sent to uscgc aslakhanov\nfpo ae 44941?", []string{"uscgc aslakhanov\nfpo ae 44941"}},
		{"address:     unit 4526 box 0671\ndpo ap 40902", []string{"unit 4526 box 0671\ndpo ap 40902"}},
		{"USS Mahler\nFPO AA 70489", []string{"USS Mahler\nFPO AA 70489"}},
		// A postcode after its label.
		{"ZIP: 11164", []string{"11164"}},
		{"my zip code is 62704", nil}, // "is" is no label
		{"postal code 10115", []string{"10115"}},
		// Words that take a number but name no street.
		{"I moved to Windows 11 last week", nil},
		{"Order 12345 shipped to Berlin on 12 May", nil},
		{"The package was sent to you on March 5", nil},
		{"I live at home 2 days a week", nil},
		{"meet me at Gate 5", nil},
		{"meet me at 5 pm", nil},
		{"sent to you 2 times", nil},
		{"It shipped to the warehouse in 3 days", nil},
		{"Please return to store 12 items", nil},
		{"sent to you for $25", nil},
		{"The e-invoice is sent within 48 hours", nil},
		{"My order was delivered to me at 10:30", nil},
		{"Order 12345 shipped", nil},
		{"Room for 2 people", nil},
		{"iPhone 15 Pro", nil},
		{"Windows 11", nil},
		{"size 42", nil},
		{"Chapter 7", nil},
		{"Route 66 mug", nil},
		{"it costs 25 dollars, sent to you today", nil},
		{"I sent it to Amazon 3 times", nil},
		{"I live in Building 7 on campus", nil},
		{"It is located on Floor 3", nil},
		{"We arrived at Terminal 5 at 6am", nil},
		{"I'll meet you at Starbucks at 3 pm", nil},
		{"Please ship the Pack Of 12 Blue Paisley Tissues to my office", nil},
		{"Pack Of 6 Sweetie Gift Boxes", nil},
		{"Set 3 Wicker Oval Baskets W Lids", nil},
		{"I moved to Berlin 2025", nil},
		{"shipped to Germany 3 days ago", nil},
		{"sent to John 2 emails", nil},
		{"He lives at Slovenčeva 51 in Ljubljana", []string{"Slovenčeva 51"}},
	}
	for _, tc := range tests {
		var got []string
		for _, s := range FindCertain(tc.text) {
			if s.Type == Address {
				got = append(got, tc.text[s.Start:s.End])
			}
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("addresses of %q = %q, want %q", tc.text, got, tc.want)
		}
		if out := placehold(tc.text, FindCertain(tc.text)); FindCertain(out) != nil {
			t.Errorf("%q: no fixpoint, %q holds more", tc.text, out)
		}
	}
}
