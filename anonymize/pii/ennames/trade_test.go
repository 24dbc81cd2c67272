package ennames

import "testing"

// Shop, brand, organisation and place names that look like people's
// names: each case is a pattern, and most of the words in them are on no
// list of trade.txt (the rule, not the string, must catch them).
func TestTradeNotNames(t *testing.T) {
	for _, text := range []string{
		// A run followed by a shop or organisation word, or after "Welcome to".
		"Welcome to Sunny Official Store! Please describe your question.",
		"Hi, I'm the virtual assistant of Blue Fern Shop. How can I help you today?",
		"Welcome to Blue Fern Boutique!",
		"Welcome to Juniper Store! Please describe your question.",
		"Welcome to Sunny Mart!",
		"Welcome to Luma Official Store!",
		"Pebble Boutique has a sale",
		"I ordered from Nova Outlet last week",
		"Maple Mart",
		"Welcome to Aster!",
		"Welcome to Harbor Mart!",
		"I bought it at Granite Outlet",
		"Welcome to Rosalind Flagship Store",
		"Greetings from the Luma team",
		"Hi, I'm the virtual assistant of Wren & Co.",
		"Harriet Electronics ships tomorrow",
		"Quinn Fashion and Esme Beauty both sell it",
		"Is Torvald Sports open on Sunday?",
		"Saint Mary Hospital",
		"American Red Ball Movers",
		"Morgan Stanley",
		"Echocardiographer",
		"Radiologist",
		// Brands named after people, in product talk.
		"Calvin Klein jeans",
		"Under Armour shorts size L",
		"Do you have the Tommy Hilfiger polo?",
		"Ralph Lauren",
		"Hugo Boss suit in navy",
		"Michael Kors bag",
		"Louis Vuitton",
		"Tory Burch sandals",
		"Kate Spade",
		"Dr. Martens boots",
		"Ben & Jerry's",
		"Tim Hortons",
		"Ralph Lauren Polo",
		"Thanks for shopping with Sunny!",
		"Maple says the parcel is late",
		"Is the Gideon Thorne watch waterproof?",
		"I want the Felicity Marsh dress in size M",
		"Elsbeth Varga perfume 50ml",
		// Places alone, and single unlisted words.
		"Zhejiang",
		"Beijing",
		"Shenzhen",
		"Guangdong",
		"Jiangsu",
		"Hangzhou",
		"Portugal",
		"Applepay",
		"Visionsky",
		// Latin brand words in Chinese text.
		"无法更换的哦 Visionsky VAR-PB[数字x] AR游戏弓 虚拟现实",
		"南极人 Nanjiren 床品家纺",
		"请问 Quorvix 的耳机有货吗",
	} {
		if got := names(text); got != "" {
			t.Errorf("%q: found %q, want no name", text, got)
		}
	}
}

// The trade rules must leave people's names alone.
func TestTradeKeepsNames(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"Karen", "Karen"},
		{"Sunny", ""}, // on no name list: alone, not enough
		{"Olena Bondar", "Olena Bondar"},
		{"Welcome back, Olena!", "Olena"},
		{"Anna's bag is blue", "Anna"},
		{"Jane Doe from the Luma Outlet store called", "Jane Doe"},
		{"Store manager Jane Doe approved it", "Jane Doe"},
		{"我叫 Zhang Wei，电话 [数字x]", "Zhang Wei"},
		{"The order is for Huiyi Xiao", "Huiyi Xiao"},
		{"Ask Klein about the jeans", "Klein"},
		{"Please give this to Ralph", "Ralph"},
		{"Let Anna watch the kids", "Anna"},
		{"Did Kate shop there?", "Kate"},
		{"Hi Fern, thanks", "Fern"},
	} {
		if got := names(c.text); got != c.want {
			t.Errorf("%q: got %q, want %q", c.text, got, c.want)
		}
	}
}
