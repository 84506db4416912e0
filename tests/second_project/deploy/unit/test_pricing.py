"""The shop's own unit tests (stdlib only)."""
import unittest


def total(prices, discount=0.0):
    return round(sum(prices) * (1 - discount), 2)


class PricingTest(unittest.TestCase):
    def test_total_with_discount(self):
        self.assertEqual(total([10.0, 5.5], 0.1), 13.95)


if __name__ == "__main__":
    unittest.main()
