"""The ceiling: the smallest Flask app, served by the same gunicorn settings as planner."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, World!"
