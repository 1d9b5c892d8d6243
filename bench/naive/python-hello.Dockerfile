# Naive single stage: the whole toolchain image (pip, venv), the whole context, root user.
FROM deploymind/python:3.11
WORKDIR /app
COPY . .
RUN pip install --break-system-packages -r requirements.txt
EXPOSE 8000
CMD ["python3", "app.py"]
