# One image for the six services; pick one with the command (pacbot-<service>).
FROM python:3.11-slim
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY . .
RUN uv sync --all-packages --frozen --no-dev
ENV PATH="/app/.venv/bin:$PATH"
CMD ["pacbot-gateway"]
