FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY lightrail ./lightrail
RUN pip install --no-cache-dir . && useradd --system --home /app lightrail
USER lightrail
ENV LIGHTRAIL_ENV=production
EXPOSE 8080
CMD ["lightrail", "serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
