"""政社互动, the department side: admission requests (社区事务准入) checked against
the two lists, entrustment agreements (委托协议) with their fulfilment and
payments, and the 减负 figures."""
from app.agreements import rules  # noqa: F401  (the package's permission rules, registered once)


def __getattr__(name: str):
    if name == "bp":
        from app.agreements.views import bp

        return bp
    raise AttributeError(name)
