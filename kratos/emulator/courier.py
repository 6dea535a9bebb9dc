"""The mail Kratos' courier queues for the `code` method, with its built-in templates' plaintext bodies
(courier/template/courier/builtin/templates/ at v26.2.0). Kept in the store and served at
`GET /admin/courier/messages` as Kratos serves them (`kratos serve --dev` shows the bodies)."""


def recovery_code(store, address, code):
    return store.queue_message(
        address, f"Use code {code} to recover access to your account",
        f"Recover access to your account by entering the following code:\n\n{code}\n\n"
        "If this was not you, do nothing. This code expires in 60 minutes.",
        "recovery_code_valid")


def verification_code(store, address, code, public_url, flow_id):
    return store.queue_message(
        address, f"Use code {code} to verify your account",
        f"Verify your account with the following code:\n\n{code}\n\nor clicking the following link:\n\n"
        f"{public_url}/self-service/verification?code={code}&flow={flow_id}\n\n"
        "If this was not you, do nothing. This code / link expires in 60 minutes.",
        "verification_code_valid")
