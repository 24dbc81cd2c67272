package schemas

import "github.com/apache/arrow-go/v18/arrow"

// Tags are defined in configuration (configs/tags.yaml), so the tag
// datasets have a fixed key prefix, defined here, and one column per tag of
// the tag file, typed by the tag's expression. The runner re-runs the tags
// stage when the tag file changes (its fingerprint is an input of every tag
// manifest), and readers build the dataset from the same tag file.

// consumerTagsKey is consumer_tags' key prefix.
var consumerTagsKey = []arrow.Field{
	opaque(str("user_token", false)),
	ts("as_of"),
}

// ConsumerTags is consumer_tags without its tag columns: enough to list
// partitions and read manifests. Internal to the platform: it is keyed by
// the platform-wide user_token and never reaches a merchant. Consumers
// opted out of marketing as of as_of are not in it.
var ConsumerTags = ConsumerTagsWith(nil)

// ConsumerTagsWith is consumer_tags with the given tag columns, one row per
// consumer, sorted by user_token.
func ConsumerTagsWith(tags []arrow.Field) Dataset {
	return Dataset{
		Name:    "consumer_tags",
		Version: 2,
		Doc:     "consumer tags (from the tag file) as of the end of dt over a trailing window of events_clean; opted-out consumers excluded",
		Schema:  arrow.NewSchema(append(append([]arrow.Field{}, consumerTagsKey...), tags...), nil),
	}
}

// ConsumerMerchantTags is consumer_merchant_tags without its tag columns.
var ConsumerMerchantTags = ConsumerMerchantTagsWith(nil)

// ConsumerMerchantTagsWith is consumer_merchant_tags: one row per merchant
// and consumer seen with that merchant in the window (the merchant's
// relationship), with the merchant-scoped tags (loyalty, membership),
// sorted by merchant_id then user_token. Internal, like consumer_tags:
// audiences are computed from it, merchants never receive it.
func ConsumerMerchantTagsWith(tags []arrow.Field) Dataset {
	return Dataset{
		Name:    "consumer_merchant_tags",
		Version: 1,
		Doc:     "merchant-scoped tags per merchant and consumer seen with it, as of the end of dt; opted-out consumers excluded",
		Schema: arrow.NewSchema(append([]arrow.Field{
			dict(str("merchant_id", false)),
			opaque(str("user_token", false)),
			ts("as_of"),
		}, tags...), nil),
	}
}

// TagField is the column of a tag of type typ (string, int64, float64,
// bool or list of string); every tag column is nullable, and string tags
// (and list elements) are dictionary encoded: tags have few values.
func TagField(name string, typ arrow.DataType) arrow.Field {
	f := arrow.Field{Name: name, Type: typ, Nullable: true}
	switch typ.ID() {
	case arrow.STRING, arrow.LIST:
		f = dict(f)
	}
	return f
}
