"""One run in a real browser (headless Chromium): a superuser's first admin login with
two-factor required — enrolment from the QR page's secret, then issuing a key and reading
it off the page — and Swagger UI and Redoc rendering under the Content-Security-Policy,
with the browser reporting no CSP violation anywhere.

Skipped where Chromium and its driver are not installed (Debian: chromium
chromium-driver; .ci/run installs them)."""

from __future__ import annotations

import shutil
from base64 import b32decode

import httpx
import pytest
from django_otp.oath import totp

from accounts.tests.factories import UserFactory
from apikeys.models import ApiKey

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs Chromium and chromedriver (Debian packages)"),
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(10)
    try:
        yield driver
    finally:
        driver.quit()


# Redoc's sidebar footer always points an <img> at Redocly's CDN (no option turns it off):
# the policy refuses it, which is the point; the image hides itself when it fails.
REDOC_FOOTER_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def csp_violations(browser) -> list[str]:
    return [
        entry["message"]
        for entry in browser.get_log("browser")
        if "Content Security Policy" in entry["message"] and REDOC_FOOTER_LOGO not in entry["message"]
    ]


def loaded_from_elsewhere(browser, origin: str) -> list[str]:
    """What the page asked for (Resource Timing) from anywhere but this host; the Redoc
    footer logo is listed there too, refused (see csp_violations)."""
    names = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return [name for name in names if not name.startswith((origin, "data:", "blob:")) and name != REDOC_FOOTER_LOGO]


def test_first_login_enrols_a_second_factor_then_issues_a_key_and_the_docs_render(browser, live_server, settings):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    settings.ADMIN_2FA_REQUIRED = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain http to the live server
    superuser = UserFactory(is_staff=True, is_superuser=True)
    owner = UserFactory(password=None)

    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys(superuser.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()

    # Enrolment: the welcome step, then the QR code with its secret spelled out. (A click
    # returns before the next page has loaded: wait for its URL rather than read it at once.)
    WebDriverWait(browser, 10).until(lambda b: "/admin/2fa/setup/" in b.current_url)
    browser.find_element(By.CSS_SELECTOR, "button.btn-primary").click()
    qr = browser.find_element(By.CSS_SELECTOR, 'img[src="/admin/2fa/setup/qrcode/"]')
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", qr)
    secret = browser.find_element(By.CSS_SELECTOR, 'a[href^="otpauth://"]').text
    browser.find_element(By.NAME, "generator-token").send_keys(f"{totp(b32decode(secret)):06d}")
    browser.find_element(By.CSS_SELECTOR, "button.btn-primary").click()
    WebDriverWait(browser, 10).until(lambda b: "/admin/2fa/setup/complete/" in b.current_url)

    # Issue a key. The owner picker is an autocomplete: pick the owner as its search would.
    browser.get(f"{live_server.url}/admin/apikeys/apikey/add/")
    browser.execute_script(
        "const select = document.getElementById('id_owner');"
        "select.add(new Option(arguments[1], arguments[0], true, true));",
        str(owner.pk),
        owner.email,
    )
    browser.find_element(By.NAME, "name").send_keys("Browser key")
    browser.find_element(By.CSS_SELECTOR, 'input[name="scopes"][value="users.read"]').click()
    browser.find_element(By.NAME, "_save").click()
    raw = browser.find_element(By.ID, "new-api-key").text
    assert ApiKey.objects.get(name="Browser key").created_by == superuser
    response = httpx.get(f"{live_server.url}/v2/me", headers={"X-API-Key": raw})
    assert response.status_code == 200 and response.json()["data"]["email"] == owner.email

    admin_violations = csp_violations(browser)

    browser.get(f"{live_server.url}/schema/swagger-ui/")
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".swagger-ui .opblock"))
    assert loaded_from_elsewhere(browser, live_server.url) == []
    browser.get(f"{live_server.url}/schema/redoc/")
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#redoc-container h1"))
    assert loaded_from_elsewhere(browser, live_server.url) == []
    logo = browser.find_elements(By.CSS_SELECTOR, f'img[src="{REDOC_FOOTER_LOGO}"]')
    assert all(not browser.execute_script("return arguments[0].naturalWidth", img) for img in logo)

    assert admin_violations == []
    assert csp_violations(browser) == []
