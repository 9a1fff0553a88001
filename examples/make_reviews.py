"""Generate the small product-review sentiment dataset in examples/reviews/.

Every review is assembled from hand-written fragments (products, aspects,
opinion phrases, openers and closers), so the data is synthetic and free to
ship. Some reviews are mixed ("great sound but the battery died in a week")
and take the label of their overall verdict; about 3% of labels are flipped
on purpose, and train.csv carries a few broken rows (empty review, missing
sentiment) the way real exports do.

Writes:
    examples/reviews/train.csv  1200 rows: review, rating, sentiment
    examples/reviews/test.csv    300 rows: review, rating, sentiment
    examples/reviews/new.csv      20 rows: review (unlabeled)

Regenerate (deterministic, stdlib only) from the repository root with:
    python examples/make_reviews.py
"""

import csv
import random
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent / "reviews"

# product -> (parts that can break, qualities that can only be judged)
PRODUCTS = {
    "headphones": (["battery", "ear cushions", "headband"], ["sound", "noise cancelling"]),
    "kettle": (["lid", "handle", "auto shut-off"], ["boil time"]),
    "backpack": (["zippers", "straps", "laptop sleeve"], ["stitching", "size"]),
    "novel": (["spine"], ["plot", "ending", "characters", "pacing", "writing"]),
    "blender": (["motor", "blades", "jug"], ["noise level", "smoothie texture"]),
    "phone case": (["button covers", "clip"], ["grip", "fit", "drop protection"]),
    "running shoes": (["sole", "laces", "insoles"], ["cushioning", "sizing"]),
    "desk lamp": (["dimmer", "arm", "switch"], ["brightness", "light colour"]),
    "coffee grinder": (["motor", "hopper", "lid"], ["grind consistency", "noise level"]),
    "yoga mat": (["carry strap"], ["grip", "thickness", "smell"]),
    "air fryer": (["basket", "timer", "display"], ["capacity", "cooking results"]),
    "smartwatch": (["battery", "screen", "strap"], ["step tracking", "app"]),
    "office chair": (["armrests", "wheels", "gas lift"], ["comfort", "back support"]),
    "electric toothbrush": (["battery", "brush heads", "charger"], ["timer", "cleaning"]),
    "water bottle": (["lid", "seal"], ["insulation", "size"]),
    "bluetooth speaker": (["battery", "buttons"], ["sound", "bass", "pairing"]),
    "winter jacket": (["zipper", "hood", "pockets"], ["warmth", "sizing"]),
    "cookbook": (["binding"], ["recipes", "photos", "instructions"]),
    "vacuum cleaner": (["battery", "filter", "attachments"], ["suction", "noise level"]),
    "frying pan": (["handle", "lid"], ["non-stick coating", "weight", "heat spread"]),
    "webcam": (["clip", "microphone"], ["picture quality", "autofocus"]),
    "board game": (["pieces", "box"], ["rules", "replay value", "artwork"]),
    "mechanical keyboard": (["switches", "keycaps", "cable"], ["backlight", "typing feel"]),
    "tent": (["poles", "rain fly", "zippers"], ["setup time", "space inside"]),
    "baby monitor": (["camera", "battery"], ["range", "night vision", "app"]),
    "hair dryer": (["cord", "switch"], ["airflow", "heat settings", "noise level"]),
}
GENERAL_ASPECTS = ["price", "delivery", "packaging", "build quality",
                   "customer service", "design", "instructions"]

INTENSIFIERS = ["really", "very", "super", "incredibly", "pretty", "quite",
                "genuinely", "seriously", "so", "extremely", "surprisingly"]
POS_ADJ = ["great", "excellent", "superb", "fantastic", "impressive", "good",
           "brilliant", "decent", "lovely", "perfect"]
NEG_ADJ = ["poor", "disappointing", "awful", "terrible", "mediocre", "bad",
           "rubbish", "laughable", "annoying", "underwhelming"]
POS_PART_ADJ = ["sturdy", "well made", "solid", "robust"]
NEG_PART_ADJ = ["flimsy", "cheap", "badly made", "fiddly"]
TIMES = ["a week", "two weeks", "a month", "three days", "a couple of months",
         "six months", "a year", "ten days", "a fortnight"]

# {a} aspect, {A} capitalised, {be} is/are, {i} intensifier, {adj} adjective, {t} time
POS_ASPECT = [
    "The {a} {be} {i} {adj}.", "{A} {be} {adj}.", "Really happy with the {a}.",
    "The {a} exceeded my expectations.", "No issues with the {a} at all.",
    "The {a} {be} spot on.", "{A}: {adj}.", "Love the {a}.",
    "The {a} {be} better than I expected.", "I was not expecting the {a} to be this {adj}.",
]
NEG_ASPECT = [
    "The {a} {be} {i} {adj}.", "{A} {be} {adj}.", "Not happy with the {a}.",
    "The {a} {be} a real letdown.", "{A}: {adj}.", "Hate the {a}.",
    "The {a} {be} worse than I expected.", "The {a} {be} not great.",
    "I expected more from the {a}.", "Had nothing but trouble with the {a}.",
]
POS_PART = ["The {a} {be} still fine after {t}.", "The {a} survived {t} of daily use."]
NEG_PART = ["The {a} broke after {t}.", "The {a} gave out after {t}.",
            "The {a} failed within {t}."]
POS_VERDICT = [
    "Highly recommend.", "Could not be happier.", "Worth every penny.", "Would buy again.",
    "Five stars from me.", "Best purchase I've made this year.", "Can't complain.",
    "Does exactly what it says.", "My whole family loves it.", "No regrets at all.",
    "I'd happily order another one.", "Love it.", "Exceeded my expectations.",
    "Absolutely brilliant.", "Great value for the money.", "Totally worth it.",
    "Not perfect, but I'm keeping it.", "Overall a very good buy.", "Pleasantly surprised.",
    "Would recommend to a friend.", "You won't regret it.", "Not a single complaint.",
    "Never had a problem with it.", "Nothing to dislike.", "Glad I bought it.",
    "Really pleased overall.", "Happy customer here.", "It just works.", "Ten out of ten.",
    "Already bought a second one.", "Can't fault it.", "Does the job and then some.",
    "Better than the expensive brands.", "Wish I'd bought it sooner.",
    "Still going strong.", "I use it every day.", "Small thing, but I really like it.",
    "Definitely a keeper.", "Not bad at all.", "On balance, I'm happy with it.",
    "Overall, worth it.",
]
NEG_VERDICT = [
    "Not worth it.", "Would not recommend.", "Total waste of money.", "Returning it.",
    "Don't bother.", "Avoid.", "Very disappointed.", "Save your money.",
    "Never buying this brand again.", "One star is generous.", "Regret buying it.",
    "Not what I expected.", "Complete junk.", "Sent it back the next day.",
    "I wanted to like it, but no.", "Expected much better.", "Cheaply made.",
    "Overpriced for what you get.", "Stay away.", "Not impressed.", "Wouldn't buy again.",
    "Can't recommend it.", "Asking for a refund.", "Avoid this one.",
    "Nothing but problems.", "Not happy at all.", "A real letdown.", "Ended up in the bin.",
    "Feels like a scam.", "Look elsewhere.", "Not good enough for the price.",
    "Would give zero stars if I could.", "Buy something else.", "I'm done with it.",
    "Pretty useless.", "Not as described.", "Had high hopes, sadly not.",
    "Overall, not worth it.", "On balance, I'm not happy with it.",
    "It does the job, barely.",
]
OPENERS = [
    "Bought {this} {p} for my {who}.", "Got the {p} on sale.",
    "I've been using {this} {p} for {t} now.", "Ordered the {p} after reading the reviews.",
    "Update after {t}:", "Replaced my old {p}.", "Quick review.",
    "Picked up {this} {p} last month.", "My {who} recommended {this} {p}.",
    "Honest review of the {p}.", "Went for {this} {p} after a lot of research.",
]
WHO = ["wife", "husband", "son", "daughter", "mum", "dad", "flatmate", "partner"]
CLOSERS = [
    "Just my two cents.", "Hope this helps someone.", "Delivery took {n} days.",
    "Will update if anything changes.", "Thanks for reading.", "That's all.",
    "Arrived on time.", "Paid {n}0 dollars for it.",
]
POS_EMOJI = ["😊", "👍", "❤️", "🙌", ":)"]
NEG_EMOJI = ["😡", "👎", "😞", ":("]
CONNECTORS = ["but", "but", "although", "though", "and yet", "even if"]


def aspect_sentence(rng, positive, aspect, is_part):
    """One sentence judging `aspect`; parts (things that can break) get extra wording."""
    plural = aspect.endswith("s") and not aspect.endswith("ss")
    adjectives = POS_ADJ if positive else NEG_ADJ
    if is_part:
        adjectives = adjectives + (POS_PART_ADJ if positive else NEG_PART_ADJ)
    templates = POS_ASPECT if positive else NEG_ASPECT
    if is_part and rng.random() < 0.4:
        templates = POS_PART if positive else NEG_PART
    return rng.choice(templates).format(
        a=aspect, A=aspect.capitalize(), be="are" if plural else "is",
        i=rng.choice(INTENSIFIERS), adj=rng.choice(adjectives), t=rng.choice(TIMES))


def join(rng, first, second):
    """'The lid is great.' + 'The handle broke.' -> 'The lid is great, but the handle broke.'"""
    if not second.startswith("I "):
        second = second[0].lower() + second[1:]
    return f"{first.rstrip('.')}, {rng.choice(CONNECTORS)} {second}"


def add_typo(rng, text):
    """Swap two neighbouring letters inside one longer word."""
    words = text.split()
    long_ones = [k for k, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not long_ones:
        return text
    k = rng.choice(long_ones)
    w, j = words[k], rng.randrange(1, len(words[k]) - 2)
    words[k] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def make_review(rng, positive):
    """Return (text, rating) for one review whose overall verdict is `positive`."""
    product = rng.choice(list(PRODUCTS))
    verdict = rng.choice(POS_VERDICT if positive else NEG_VERDICT)
    mixed = False
    if rng.random() < 0.15:  # very short: a verdict, maybe naming the product
        sentences = [verdict if rng.random() < 0.5 else f"The {product}? {verdict}"]
    else:
        sentences = []
        if rng.random() < 0.4:
            this = "these" if product.endswith("s") else "this"
            sentences.append(rng.choice(OPENERS).format(
                p=product, this=this, who=rng.choice(WHO), t=rng.choice(TIMES)))
        # body: aspect sentences agreeing with the verdict; a mixed review adds
        # one or two that disagree (never more than agree), and the verdict decides
        n_for = rng.randint(1, 3) if rng.random() < 0.8 else rng.randint(4, 5)
        mixed = rng.random() < 0.4
        n_against = rng.randint(1, min(n_for, 2)) if mixed else 0
        parts, qualities = PRODUCTS[product]
        pool = parts + qualities + rng.sample(GENERAL_ASPECTS, 3)
        aspects = rng.sample(pool, n_for + n_against)
        pro = [aspect_sentence(rng, positive, a, a in parts) for a in aspects[:n_for]]
        con = [aspect_sentence(rng, not positive, a, a in parts) for a in aspects[n_for:]]
        first, second = (pro, con) if rng.random() < 0.6 else (con, pro)
        if mixed and ": " not in second[0] and rng.random() < 0.6:  # "X, but Y"
            sentences += first[:-1] + [join(rng, first[-1], second[0])] + second[1:]
        else:
            sentences += first + second
        if mixed or rng.random() < 0.85:
            sentences.append(verdict)
        if rng.random() < 0.25:
            sentences.append(rng.choice(CLOSERS).format(n=rng.randint(2, 9)))
    text = " ".join(sentences)
    # surface noise, like real user-written text
    if rng.random() < 0.10:
        text = add_typo(rng, text)
    if rng.random() < 0.05:
        text = text.replace(verdict[:-1], verdict[:-1].upper())
    if rng.random() < 0.08:
        text = text.lower()
    if rng.random() < 0.06:
        text = text.rstrip(".") + rng.choice(["!!!", "!", "...", "!!"])
    if rng.random() < 0.06:
        text += " " + rng.choice(POS_EMOJI if positive else NEG_EMOJI)
    if positive:
        rating = rng.choice([3, 4]) if mixed else rng.choice([4, 5, 5, 5])
    else:
        rating = rng.choice([2, 3]) if mixed else rng.choice([1, 1, 1, 2])
    return text, rating


def make_rows(rng, n, seen, noise=0.03):
    rows = []
    while len(rows) < n:
        positive = rng.random() < 0.55
        text, rating = make_review(rng, positive)
        if text in seen or not 3 <= len(text.split()) <= 60:
            continue
        seen.add(text)
        if rng.random() < noise:  # mislabelled, as happens in real data
            positive = not positive
        rows.append({"review": text, "rating": rating,
                     "sentiment": "positive" if positive else "negative"})
    return rows


def write_csv(path, rows, fields):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n",
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def main():
    rng = random.Random(7)
    seen = set()
    train = make_rows(rng, 1195, seen)
    test = make_rows(rng, 300, seen)
    new = make_rows(rng, 20, seen, noise=0.0)
    # a few broken rows, as in a real export: empty reviews, missing labels
    broken = [dict(row, review="") for row in make_rows(rng, 3, seen)]
    broken += [dict(row, sentiment="") for row in make_rows(rng, 2, seen)]
    for row in broken:
        train.insert(rng.randrange(len(train)), row)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    fields = ["review", "rating", "sentiment"]
    write_csv(OUT_DIR / "train.csv", train, fields)
    write_csv(OUT_DIR / "test.csv", test, fields)
    write_csv(OUT_DIR / "new.csv", new, ["review"])
    print(f"wrote {len(train)} train, {len(test)} test, {len(new)} new rows to {OUT_DIR}")


if __name__ == "__main__":
    main()
