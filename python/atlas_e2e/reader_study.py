#!/usr/bin/env python3
"""End-to-end check of the atlas in a real browser: headless Chromium driven by selenium through
chromium-driver. A scripted reader opens their invitation, completes every image of the study with
the keyboard (R/S, 1-5, bone age, Enter), reads their feedback; then the admin opens the results
page, which must show every answer. Prints one JSON line with what the reader answered.

    /usr/bin/python3 python/atlas_e2e/reader_study.py --invite URL --admin URL --study ID --items N \
        [--screenshots DIR] [--browse URL]

Exit status 0 on success, 1 on a failed check, 77 when selenium, Chromium or chromedriver is missing.
"""
import argparse
import json
import os
import shutil
import sys
import time

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as error:
    print(f"skipped: python selenium is not installed ({error}); scripts/install-deps --test installs it")
    sys.exit(77)


def find(*names):
    for name in names:
        path = shutil.which(name) or (name if os.path.exists(name) else None)
        if path:
            return path
    return None


def browser():
    chromium = find("chromium", "/usr/bin/chromium", "chromium-browser", "google-chrome")
    driver = find("chromedriver", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
    if not chromium or not driver:
        print("skipped: Chromium or chromedriver is missing (Debian packages chromium and chromium-driver)")
        sys.exit(77)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--invite", required=True)
    parser.add_argument("--admin", required=True, help="the admin sign-in link the server printed")
    parser.add_argument("--study", required=True, type=int)
    parser.add_argument("--items", required=True, type=int)
    parser.add_argument("--browse", help="the atlas's URL, to screenshot the browse page")
    parser.add_argument("--screenshots", help="folder for PNG screenshots of each page")
    args = parser.parse_args()
    shots = args.screenshots
    if shots:
        os.makedirs(shots, exist_ok=True)

    def shot(driver, name):
        """The whole page (the window grows to the page's height for the picture)."""
        if shots:
            height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
            driver.set_window_size(1280, min(max(height + 40, 1000), 6000))
            driver.save_screenshot(os.path.join(shots, name + ".png"))
            driver.set_window_size(1280, 1000)

    driver = browser()
    wait = WebDriverWait(driver, 60)
    answers = []
    try:
        if args.browse:
            driver.get(args.browse)
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#plate figure img")) >= 4)
            wait.until(lambda d: all(i.get_property("naturalWidth") > 0 for i in d.find_elements(By.CSS_SELECTOR, "#plate figure img")))
            check("SYNTHETIC" in driver.find_element(By.ID, "plate").text, "each browse image is marked SYNTHETIC")
            dicom = driver.find_elements(By.ID, "downloadDICOM")
            check(dicom and "/api/plate.dcm?" in (dicom[0].get_attribute("href") or ""), "the plate offers its DICOM series")
            shot(driver, "browse")
            driver.find_element(By.CSS_SELECTOR, "#plate figure").click()
            wait.until(lambda d: d.find_element(By.ID, "viewer").get_attribute("open") is not None)
            time.sleep(0.3)
            shot(driver, "viewer")
            driver.find_element(By.ID, "ageThis").click()
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#strip figure")) >= 2)
            shot(driver, "strip")

        driver.get(args.invite)
        shot(driver, "join")
        driver.find_element(By.ID, "start").click()
        wait.until(ec.url_contains("/read"))
        body = driver.find_element(By.TAG_NAME, "body")
        for k in range(args.items):
            wait.until(lambda d: d.find_element(By.ID, "progressText").text.startswith(f"Image {k + 1} of"))
            wait.until(lambda d: d.find_element(By.ID, "readCanvas").get_property("width") > 0)
            if k == 0:
                shot(driver, "reader")
            synthetic = k % 3 != 0
            confidence = k % 5 + 1
            years, months = 3 + k % 12, k % 12
            body.send_keys("s" if synthetic else "r")
            body.send_keys(str(confidence))
            driver.find_element(By.ID, "years").send_keys(str(years))
            field = driver.find_element(By.ID, "months")
            field.clear()
            field.send_keys(str(months))
            field.send_keys(Keys.ENTER)
            answers.append({"position": k + 1, "synthetic": synthetic, "confidence": confidence, "months": years * 12 + months})
        wait.until(ec.url_contains("/read/done"))
        check("Thank you" in driver.page_source, "the reader gets feedback at the end")
        shot(driver, "feedback")

        driver.get(args.admin)
        driver.find_element(By.ID, "signIn").click()
        wait.until(lambda d: d.current_url.rstrip("/").endswith("/admin"))
        shot(driver, "admin")
        base = args.admin.split("/admin/")[0]
        driver.get(f"{base}/admin/studies/{args.study}")
        shot(driver, "study")
        driver.get(f"{base}/admin/studies/{args.study}/results")
        text = driver.find_element(By.TAG_NAME, "body").text
        check(f"{args.items} answers" in text, f"the results page counts {args.items} answers")
        check("Telling synthetic from real" in text and "Reading bone age" in text, "the results page has its sections")
        check(len(driver.find_elements(By.CSS_SELECTOR, "svg")) >= 1, "the results page draws its charts")
        shot(driver, "results")
    finally:
        driver.quit()
    print(json.dumps({"answers": answers}))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print(f"FAILED: {failure}")
        sys.exit(1)
