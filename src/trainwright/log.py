"""The one logger through which trainwright tells the user about implicit decisions (inferred columns, chosen
tokenizer, rows left out). The CLI shows its INFO messages; library users configure `logging` as they like."""

import logging

logger = logging.getLogger("trainwright")
