"""Read side: plain SQL over the views through a Reader. Standard library only."""
