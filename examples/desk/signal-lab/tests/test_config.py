import os
import unittest

import main


class ConfigTest(unittest.TestCase):
    def test_nested_keys_from_environment(self):
        os.environ["SIGLAB_FEED__SYMBOLS"] = '["SPY"]'
        os.environ["SIGLAB_SIGNALS__LOOKBACK"] = "20"
        cfg = main.config()
        self.assertEqual(cfg["feed"]["symbols"], ["SPY"])
        self.assertEqual(cfg["signals"]["lookback"], 20)


if __name__ == "__main__":
    unittest.main()
