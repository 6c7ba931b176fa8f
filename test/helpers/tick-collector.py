"""A tick collector as the shops write them: no port, rows in a SQLite file under data/, a heartbeat file touched
on every loop. Creating data/pause makes it hang (alive, no heartbeat): what a stuck collector looks like."""
import os
import sqlite3
import time
from pathlib import Path

data = Path("data")
data.mkdir(exist_ok=True)
db = sqlite3.connect(data / "ticks.sqlite")
db.execute("CREATE TABLE IF NOT EXISTS ticks (at REAL, symbol TEXT, price REAL)")
print("collecting", flush=True)
while True:
    if (data / "pause").exists():
        time.sleep(0.05)
        continue
    db.execute("INSERT INTO ticks VALUES (?, ?, ?)", (time.time(), "SPY", 600.0))
    db.commit()
    (data / "heartbeat").touch()
    time.sleep(0.05)
