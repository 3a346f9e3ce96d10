"""Arabic news corpus builder: scraped pages in, a clean, deduplicated, labelled Hugging Face dataset out."""

__version__ = "0.1.0"
