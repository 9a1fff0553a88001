"""Forecasting: time series in long format (an id, a time and a target column) read into regular series, the
statistical baselines forecasting people trust, and the metrics and rolling-origin backtests that judge them."""
